"""Editors enter and correct results in the admin; saving goes through the services."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liveblog.models import Post
from liveblog.permissions import EDITOR_GROUP
from results.models import Constituency, ConstituencyResult, Election, Party, ResultRevision
from results.selectors import get_result_figures

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/results/constituencyresult/add/"


def _formsets(candidates, *, initial=0, existing_ids=()):
    data = {
        "candidacies-TOTAL_FORMS": str(len(candidates)),
        "candidacies-INITIAL_FORMS": str(initial),
        "candidacies-MIN_NUM_FORMS": "0",
        "candidacies-MAX_NUM_FORMS": "1000",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
        "revisions-MIN_NUM_FORMS": "0",
        "revisions-MAX_NUM_FORMS": "1000",
    }
    for i, (name, party, votes) in enumerate(candidates):
        data.update(
            {
                f"candidacies-{i}-name": name,
                f"candidacies-{i}-party": str(party.pk),
                f"candidacies-{i}-votes": str(votes),
            }
        )
        if i < len(existing_ids):
            data[f"candidacies-{i}-id"] = str(existing_ids[i])
    return data


@pytest.fixture
def night(mk_south):
    return Election.objects.create(name="Election night", slug="night", date=mk_south.election.date)


def _mk_candidates(labour_votes=28927):
    con, lab, ld = (Party.objects.get(code=c) for c in ("CON", "LAB", "LD"))
    return [
        ("Iain Stewart", con, 30652),
        ("Hannah O'Neill", lab, labour_votes),
        ("Tahir Maher", ld, 1895),
    ]


def test_editor_group_has_the_results_permissions(db):
    codenames = set(
        Group.objects.get(name=EDITOR_GROUP).permissions.values_list("codename", flat=True)
    )

    assert {"declare_result", "change_constituencyresult", "add_candidacy"} <= codenames


def test_editor_declares_a_result_with_inline_candidates_and_a_breaking_post(
    client, editor, blog, night
):
    client.force_login(editor)
    data = {
        "election": night.pk,
        "constituency": Constituency.objects.get(name="Milton Keynes South").pk,
        "electorate": "92417",
        "invalid_votes": "122",
        "previous_winner": Party.objects.get(code="CON").pk,
        "declare": "on",
        "announce_in": blog.pk,
        **_formsets(_mk_candidates()),
    }

    response = client.post(ADD_URL, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    result = ConstituencyResult.objects.get(election=night)
    figures = get_result_figures(result)
    assert (result.status, figures.headline, figures.majority) == ("declared", "CON HOLD", 1725)
    revision = ResultRevision.objects.get(result=result)
    assert (revision.kind, revision.by) == ("declared", editor)
    post = Post.objects.get(blog=blog)
    assert post.headline == "Conservatives hold Milton Keynes South"


def test_a_tie_in_the_admin_is_shown_as_an_error_and_saves_nothing(client, editor, night):
    client.force_login(editor)
    data = {
        "election": night.pk,
        "constituency": Constituency.objects.get(name="Milton Keynes South").pk,
        "electorate": "92417",
        "invalid_votes": "0",
        "declare": "on",
        **_formsets(_mk_candidates(labour_votes=30652)),
    }

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "tie for first place on 30,652 votes" in response.content.decode()
    assert not ConstituencyResult.objects.filter(election=night).exists()


def test_editor_corrects_a_declared_result_and_the_revision_says_what_changed(
    client, editor, mk_south
):
    client.force_login(editor)
    rows = list(mk_south.candidacies.select_related("party").order_by("id"))
    candidates = [(c.name, c.party, 28927 if c.party.code == "LAB" else c.votes) for c in rows]
    data = {
        "electorate": "92417",
        "invalid_votes": "122",
        "correction_note": "On-the-night figure",
        **_formsets(candidates, initial=len(rows), existing_ids=[c.pk for c in rows]),
    }

    response = client.post(f"/admin/results/constituencyresult/{mk_south.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    revision = ResultRevision.objects.filter(result=mk_south).latest("number")
    assert (revision.kind, revision.by, revision.note) == (
        "corrected",
        editor,
        "On-the-night figure",
    )
    assert "Hannah O'Neill (LAB) votes: 28,987 → 28,927" in revision.changes


def test_result_list_runs_the_same_queries_for_more_rows(client, editor, small_election, night):
    client.force_login(editor)

    def list_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/admin/results/constituencyresult/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    list_queries()  # warm the session and content types
    two = list_queries()
    for seat in Constituency.objects.all():
        ConstituencyResult.objects.create(election=night, constituency=seat)
    four = list_queries()

    assert four == two


def test_result_forms_open_for_an_editor(client, editor, mk_south):
    client.force_login(editor)

    add = client.get(ADD_URL)
    change = client.get(f"/admin/results/constituencyresult/{mk_south.pk}/change/")

    assert add.status_code == 200 and "Declare now" in add.content.decode()
    body = change.content.decode()
    assert change.status_code == 200
    assert "CON HOLD, majority 1,665" in body and "Why the correction" in body


# A service refusal on save (issue 12, "Bug first") --------------------------------------------


@pytest.fixture
def results_clerk(db):
    """Staff who may open and change result rows but may not declare or correct (no
    declare_result): the services refuse them after the forms have passed."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user(
        username="clerk", password="pw-for-tests", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="results",
            codename__in=[
                "add_constituencyresult",
                "change_constituencyresult",
                "view_constituencyresult",
                "add_candidacy",
                "change_candidacy",
                "view_candidacy",
                "view_constituency",
                "view_party",
            ],
        )
    )
    return user


def test_a_refused_add_shows_the_service_message_on_the_form_and_saves_nothing(
    client, results_clerk, night
):
    client.force_login(results_clerk)
    data = {
        "election": night.pk,
        "constituency": Constituency.objects.get(name="Milton Keynes South").pk,
        "electorate": "92417",
        "invalid_votes": "0",
        "declare": "on",
        **_formsets(_mk_candidates()),
    }

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Nothing was saved: Only editors can enter, declare or correct results." in (
        response.content.decode()
    )
    assert not ConstituencyResult.objects.filter(election=night).exists()


def test_a_refused_correction_shows_the_service_message_on_the_form_and_saves_nothing(
    client, results_clerk, mk_south
):
    client.force_login(results_clerk)
    rows = list(mk_south.candidacies.select_related("party").order_by("id"))
    candidates = [(c.name, c.party, 1 if c.party.code == "LAB" else c.votes) for c in rows]
    data = {
        "electorate": "92417",
        "invalid_votes": "122",
        "correction_note": "Typo",
        **_formsets(candidates, initial=len(rows), existing_ids=[c.pk for c in rows]),
    }

    response = client.post(f"/admin/results/constituencyresult/{mk_south.pk}/change/", data)

    assert response.status_code == 200
    assert "Nothing was saved: Only editors can enter, declare or correct results." in (
        response.content.decode()
    )
    assert not ResultRevision.objects.filter(result=mk_south, kind="corrected").exists()
    assert mk_south.candidacies.get(party__code="LAB").votes == 28987


def test_a_declaration_refused_mid_save_keeps_the_new_result_unsaved(
    client, editor, blog, night, monkeypatch
):
    """The result and its candidates are written, then a later step refuses (a race): the
    whole save rolls back, so no result is left behind."""
    from django.core.exceptions import ValidationError

    from results import services

    def refuse(*args, **kwargs):
        raise ValidationError("Milton Keynes South has already been declared.")

    monkeypatch.setattr(services, "_add_revision", refuse)
    client.force_login(editor)
    data = {
        "election": night.pk,
        "constituency": Constituency.objects.get(name="Milton Keynes South").pk,
        "electorate": "92417",
        "invalid_votes": "0",
        "declare": "on",
        **_formsets(_mk_candidates()),
    }

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Nothing was saved: Milton Keynes South has already been declared." in (
        response.content.decode()
    )
    assert not ConstituencyResult.objects.filter(election=night).exists()
