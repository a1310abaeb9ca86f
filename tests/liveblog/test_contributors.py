"""A byline correction reaches open pages; other contributor edits do not (issue 3)."""

import pytest
from django.core.exceptions import PermissionDenied

from liveblog import services
from liveblog.models import Contributor, LiveBlog, LiveEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def byline(db):
    return Contributor.objects.create(name="Andy Holmes", role="Political reporter")


def test_correcting_a_byline_re_renders_the_contributors_visible_posts(blog, editor, byline):
    post = services.create_post(blog=blog, by=editor, headline="Analysis", contributors=[byline])
    services.create_post(blog=blog, by=editor, headline="Someone else's")
    draft = services.create_post(
        blog=blog, by=editor, headline="Draft", contributors=[byline], status="draft"
    )

    byline.role = "BBC Three Counties Radio political reporter"
    services.save_contributor(byline, by=editor)

    update = LiveEvent.objects.filter(kind="post.updated").get()
    assert (update.post_id, update.seq) == (post.pk, 3)
    assert "BBC Three Counties Radio political reporter" in update.html
    assert not LiveEvent.objects.filter(post=draft).exists()


def test_posts_on_an_ended_blog_keep_their_published_byline(blog, editor, byline):
    services.create_post(blog=blog, by=editor, headline="Old", contributors=[byline])
    services.set_blog_status(blog, status=LiveBlog.Status.ENDED, by=editor)
    events_before = LiveEvent.objects.count()

    byline.name = "Andrew Holmes"
    services.save_contributor(byline, by=editor)

    assert LiveEvent.objects.count() == events_before
    assert Contributor.objects.get(pk=byline.pk).name == "Andrew Holmes"


def test_changing_only_the_linked_login_re_renders_nothing(blog, editor, reporter, byline):
    services.create_post(blog=blog, by=editor, headline="Post", contributors=[byline])
    byline.user = None
    services.save_contributor(byline, by=editor)
    assert not LiveEvent.objects.filter(kind="post.updated").exists()


def test_a_reporter_cannot_change_a_byline(reporter, byline):
    byline.name = "Someone else"
    with pytest.raises(PermissionDenied):
        services.save_contributor(byline, by=reporter)
    assert Contributor.objects.get(pk=byline.pk).name == "Andy Holmes"


def test_editor_correcting_a_byline_in_the_admin_goes_through_the_service(
    client, blog, editor, byline
):
    services.create_post(blog=blog, by=editor, headline="Post", contributors=[byline])
    client.force_login(editor)

    response = client.post(
        f"/admin/liveblog/contributor/{byline.pk}/change/",
        {"name": "Andy Holmes", "role": "Political editor", "user": ""},
    )

    assert response.status_code == 302
    assert LiveEvent.objects.filter(kind="post.updated").count() == 1
