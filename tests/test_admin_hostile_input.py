"""Hostile GET parameters on every admin page give no 500 (issue 14, item 12).

Every registered admin's add, change and list page is opened as an editor, a reporter and
a superuser with junk in each field's name and the usual lookups. Whatever the admin
answers (200, a redirect to the unfiltered list, 400, 403, 404), it is never a 500.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from liveblog import services
from liveblog.admin_base import NewsroomAdminMixin
from liveblog.models import Contributor
from results.models import Constituency, ConstituencyResult, Election, Party, PostResultCard

pytestmark = pytest.mark.django_db

JUNK = [
    "abc",
    "-1",
    "99999999999999999999999",
    "9999",
    "%00\x00",
    "2024-13-45",
    "1,abc,99999999999999999999999",
    "ünïcødé ✓ 🗳" + "x" * 1000,
]
LOOKUPS = ["", "__exact", "__in", "__gte", "__isnull", "__year", "__month", "__day", "__id__exact"]
LIST_PARAMS = ["o", "p", "q", "e", "all", "_facets", "_popup"]


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _swept_for(user):
    """The admins this user can open. The superuser covers the admins of Django and the
    libraries (users, groups, tokens, login attempts), which the newsroom groups cannot open
    (their pages answer 403 to them)."""
    return [
        (model, model_admin)
        for model, model_admin in _registered()
        if (model._meta.app_label not in ("liveblog", "results")) == user.is_superuser
    ]


def _field_names(model) -> list[str]:
    return [f.name for f in model._meta.get_fields() if f.concrete or f.many_to_many]


@pytest.fixture
def objects(reporter, editor, blog):
    """One row of every registered model, so each change page has something to open."""
    post = services.create_post(blog=blog, by=reporter, headline="Counting in Luton")
    party = Party.objects.create(name="Conservative", code="CON", colour="#0087DC")
    election = Election.objects.create(name="GE", slug="ge", date="2017-06-08")
    seat = Constituency.objects.create(name="Luton South", slug="luton-south", ons_id="E1")
    result = ConstituencyResult.objects.create(election=election, constituency=seat)
    PostResultCard.objects.create(post=post, result=result)
    assert party and Contributor.objects.exists()
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=editor)


@pytest.fixture(params=["editor", "reporter", "superuser"])
def user(request, reporter, editor):
    if request.param == "superuser":
        return get_user_model().objects.create_superuser("root", password="pw-for-tests")
    return {"editor": editor, "reporter": reporter}[request.param]


def _get(client, url, params):
    response = client.get(url, params)
    assert response.status_code < 500, (url, params, response.status_code)
    return response


@pytest.mark.parametrize("junk", JUNK)
def test_add_and_change_pages_survive_junk_prefills_for_every_field(client, objects, user, junk):
    client.force_login(user)
    for model, _ in _swept_for(user):
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        params = {name: junk for name in _field_names(model)}
        _get(client, reverse(f"{info}_add"), params)
        obj = model._default_manager.first()
        if obj is not None:
            _get(client, reverse(f"{info}_change", args=[obj.pk]), params)


@pytest.mark.parametrize("junk", JUNK)
def test_list_pages_survive_junk_filters_for_every_field_and_lookup(client, objects, user, junk):
    client.force_login(user)
    for model, _ in _swept_for(user):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        # One request per field, with all its lookups: the first one the list refuses
        # sends it to the unfiltered list, and each field is tried on its own.
        for name in _field_names(model):
            _get(client, url, {f"{name}{lookup}": junk for lookup in LOOKUPS})
        _get(client, url, {name: junk for name in LIST_PARAMS})


@pytest.mark.parametrize("junk", JUNK)
def test_autocomplete_survives_junk_terms_and_pages_for_every_autocomplete_field(
    client, objects, user, junk
):
    client.force_login(user)
    for model, model_admin in _swept_for(user):
        for field_name in model_admin.autocomplete_fields:
            params = {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": field_name,
            }
            _get(client, reverse("admin:autocomplete"), {**params, "term": junk})
            _get(client, reverse("admin:autocomplete"), {**params, "term": "", "page": junk})
        _get(
            client,
            reverse("admin:autocomplete"),
            {"app_label": junk, "model_name": junk, "field_name": junk, "term": junk},
        )


def test_a_date_hierarchy_past_year_9999_shows_the_whole_list_with_a_message(client, editor):
    client.force_login(editor)

    response = client.get(
        reverse("admin:liveblog_post_changelist"), {"published_at__year": "9999"}, follow=True
    )

    assert response.status_code == 200
    assert "That filter could not be applied" in response.content.decode()


def test_a_junk_byline_prefill_is_dropped_and_the_form_opens(client, reporter, blog):
    client.force_login(reporter)

    response = client.get(
        reverse("admin:liveblog_post_add"),
        {"contributors": "abc", "published_at": "garbage", "blog": "99999999999999999999999"},
    )

    assert response.status_code == 200
    initial = response.context["adminform"].form.initial
    assert initial["contributors"] == [reporter.contributor.pk]
    assert initial["blog"] == blog.pk


def test_a_valid_prefill_from_the_address_is_kept(client, reporter, other_reporter, blog):
    client.force_login(reporter)
    other = other_reporter.contributor

    response = client.get(
        reverse("admin:liveblog_post_add"),
        {"headline": "Turnout", "published_at": "2017-06-08 22:00"},
    )

    initial = response.context["adminform"].form.initial
    assert initial["headline"] == "Turnout"
    assert initial["published_at"].hour == 22
    assert other.pk not in initial["contributors"]


def test_every_registered_admin_validates_its_get_parameters():
    unhardened = [
        model._meta.label
        for model, model_admin in _registered()
        if not isinstance(model_admin, NewsroomAdminMixin)
    ]

    assert unhardened == []
