"""Who may sign a post with which byline (issue 14, item 14): reporters as themselves and
with bylines an editor has linked to them; editors with any. One rule, in the services."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from liveblog import services
from liveblog.models import Contributor, Post
from tests.liveblog.api.conftest import api, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def correspondent(db):
    return Contributor.objects.create(name="Deborah McGurran", role="BBC East political editor")


def _admin_form(blog, **fields):
    when = timezone.localtime()
    data = {
        "blog": blog.pk,
        "headline": "Turnout up in Bedford",
        "body": "<p>Queues.</p>",
        "status": Post.Status.PUBLISHED,
        "published_at_0": when.strftime("%Y-%m-%d"),
        "published_at_1": when.strftime("%H:%M:%S"),
        "version": "",
        "_save": "Save",
    }
    for prefix in ("images", "embeds", "result_cards"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(fields)
    return data


# The rule, in the services ---------------------------------------------------------------


def test_reporter_cannot_file_a_post_signed_by_another_contributor(reporter, blog, correspondent):
    with pytest.raises(PermissionDenied) as refused:
        services.create_post(
            blog=blog, by=reporter, headline="Exit poll", contributors=[correspondent]
        )

    assert "ask an editor to add Deborah McGurran" in str(refused.value)
    assert not Post.objects.exists()


def test_reporter_signs_with_a_byline_an_editor_linked_to_them(reporter, blog, correspondent):
    correspondent.signers.add(reporter)

    post = services.create_post(
        blog=blog, by=reporter, headline="Exit poll", contributors=[correspondent]
    )

    assert list(post.contributors.all()) == [correspondent]


def test_editor_signs_with_any_byline(editor, blog, correspondent):
    post = services.create_post(
        blog=blog, by=editor, headline="Exit poll", contributors=[correspondent]
    )

    assert list(post.contributors.all()) == [correspondent]


def test_reporter_cannot_add_another_byline_to_their_post(reporter_post, reporter, correspondent):
    with pytest.raises(PermissionDenied):
        services.update_post(
            reporter_post,
            by=reporter,
            expected_version=reporter_post.version,
            contributors=[reporter.contributor, correspondent],
        )

    assert list(reporter_post.contributors.all()) == [reporter.contributor]


def test_a_byline_an_editor_added_stays_through_the_reporters_edit(
    reporter_post, reporter, editor, correspondent
):
    services.update_post(
        reporter_post,
        by=editor,
        expected_version=reporter_post.version,
        contributors=[reporter.contributor, correspondent],
    )

    services.update_post(
        reporter_post,
        by=reporter,
        expected_version=reporter_post.version,
        headline="Counting under way in Luton South",
        contributors=[reporter.contributor, correspondent],
    )

    reporter_post.refresh_from_db()
    assert reporter_post.headline == "Counting under way in Luton South"
    assert set(reporter_post.contributors.all()) == {reporter.contributor, correspondent}


# The API -------------------------------------------------------------------------------------


def test_api_refuses_a_reporters_post_signed_by_another_contributor_with_403(
    reporter, blog, correspondent
):
    response = token_client(reporter).post(
        api(f"blogs/{blog.slug}/posts/create/"),
        {"headline": "Exit poll", "contributors": [correspondent.pk]},
        format="json",
    )

    assert response.status_code == 403
    assert "ask an editor to add Deborah McGurran" in response.json()["detail"]
    assert not Post.objects.exists()


def test_api_lets_an_editor_sign_with_any_byline(editor, blog, correspondent):
    response = token_client(editor).post(
        api(f"blogs/{blog.slug}/posts/create/"),
        {"headline": "Exit poll", "contributors": [correspondent.pk]},
        format="json",
    )

    assert response.status_code == 201
    assert [c.pk for c in Post.objects.get().contributors.all()] == [correspondent.pk]


# The admin -----------------------------------------------------------------------------------


def test_admin_post_form_offers_a_reporter_only_the_bylines_they_may_sign_with(
    client, reporter, other_reporter, correspondent, blog
):
    correspondent.signers.add(reporter)
    client.force_login(reporter)

    response = client.get(reverse("admin:liveblog_post_add"))

    choices = set(response.context["adminform"].form.fields["contributors"].queryset)
    assert choices == {reporter.contributor, correspondent}


def test_admin_byline_search_does_not_offer_other_bylines_to_a_reporter(
    client, reporter, other_reporter, blog
):
    client.force_login(reporter)

    response = client.get(
        "/admin/autocomplete/",
        {"term": "", "app_label": "liveblog", "model_name": "post", "field_name": "contributors"},
    )

    names = {r["text"] for r in response.json()["results"]}
    assert names == {str(reporter.contributor)}


def test_admin_refuses_a_reporters_post_signed_by_another_contributor(
    client, reporter, correspondent, blog
):
    client.force_login(reporter)

    response = client.post(
        reverse("admin:liveblog_post_add"), _admin_form(blog, contributors=[correspondent.pk])
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Post.objects.exists()


def test_admin_lets_an_editor_sign_with_any_byline(client, editor, correspondent, blog):
    client.force_login(editor)

    response = client.post(
        reverse("admin:liveblog_post_add"), _admin_form(blog, contributors=[correspondent.pk])
    )

    assert response.status_code == 302
    assert list(Post.objects.get().contributors.all()) == [correspondent]


def test_editor_links_a_byline_to_a_reporter_in_the_contributor_admin(
    client, editor, reporter, correspondent
):
    client.force_login(editor)

    response = client.post(
        reverse("admin:liveblog_contributor_change", args=[correspondent.pk]),
        {"name": correspondent.name, "role": correspondent.role, "signers": [reporter.pk]},
    )

    assert response.status_code == 302
    assert list(correspondent.signers.all()) == [reporter]
