"""A post's preview from the admin: the saved post as readers will see it (the same
liveblog/_post.html), for its reporter and editors only (404 for everyone else), never
stored by a cache, and without inline script."""

import pytest
from django.contrib.auth import get_user_model

from liveblog import services
from liveblog.live.events import render_post_fragment
from liveblog.models import Post
from tests.config.test_security_headers import inline_scripts, policy

pytestmark = pytest.mark.django_db


def preview_url(post) -> str:
    return f"/admin/liveblog/post/{post.pk}/preview/"


@pytest.fixture
def draft(reporter, blog):
    return services.create_post(
        blog=blog,
        by=reporter,
        headline="Recount in MK South",
        body="<p>Bundles are being checked.</p>",
        contributors=[reporter.contributor],
        status=Post.Status.DRAFT,
    )


def test_the_reporter_previews_their_draft_as_readers_will_see_it(client, reporter, draft):
    client.force_login(reporter)

    response = client.get(preview_url(draft))

    assert response.status_code == 200
    body = response.content.decode()
    fresh = Post.objects.with_bylines().get(pk=draft.pk)
    assert render_post_fragment(fresh).strip() in body
    assert "Readers cannot see this post yet (draft)." in body
    assert draft.headline not in client.get(f"/live/{draft.blog.slug}/").content.decode()


def test_the_preview_is_never_stored_by_a_cache(client, reporter, draft):
    client.force_login(reporter)

    response = client.get(preview_url(draft))

    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_the_preview_runs_no_inline_script(client, reporter, draft):
    client.force_login(reporter)

    response = client.get(preview_url(draft))

    assert inline_scripts(response.content.decode()) == []
    assert policy(response)["frame-ancestors"] == ["'self'"]


def test_an_editor_previews_anyones_draft(client, editor, draft):
    client.force_login(editor)

    assert client.get(preview_url(draft)).status_code == 200


def test_a_published_post_says_readers_see_it(client, reporter, reporter_post):
    client.force_login(reporter)

    body = client.get(preview_url(reporter_post)).content.decode()

    assert "Readers see this post now." in body


def test_another_reporter_gets_404_for_a_draft(client, other_reporter, draft):
    client.force_login(other_reporter)

    response = client.get(preview_url(draft))

    assert response.status_code == 404
    assert draft.headline not in response.content.decode()


def test_another_reporter_gets_404_for_a_published_post_they_cannot_edit(
    client, other_reporter, reporter_post
):
    client.force_login(other_reporter)

    assert client.get(preview_url(reporter_post)).status_code == 404


def test_a_deleted_post_has_no_preview(client, reporter, draft):
    services.delete_post(draft, by=reporter)
    client.force_login(reporter)

    assert client.get(preview_url(draft)).status_code == 404


@pytest.mark.parametrize("object_id", ["abc", "99999", "9" * 40, "1e3", "-1"])
def test_junk_ids_are_404(client, editor, object_id):
    client.force_login(editor)

    assert client.get(f"/admin/liveblog/post/{object_id}/preview/").status_code == 404


def test_readers_are_sent_to_the_login_and_see_nothing(client, draft):
    response = client.get(preview_url(draft))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_signed_in_user_who_is_not_staff_is_sent_to_the_login(client, draft):
    user = get_user_model().objects.create_user(username="reader", password="pw-for-tests")
    client.force_login(user)

    response = client.get(preview_url(draft))

    assert response.status_code == 302
    assert draft.headline not in response.content.decode()


def test_the_post_form_links_the_preview(client, reporter, draft):
    client.force_login(reporter)

    body = client.get(f"/admin/liveblog/post/{draft.pk}/change/").content.decode()

    assert f'href="{preview_url(draft)}"' in body
