"""Blogs have their own services: the admin, commands and tests create and change them there."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from liveblog import services
from liveblog.models import LiveBlog, LiveEvent

pytestmark = pytest.mark.django_db


def test_an_editor_starts_a_blog(editor):
    blog = services.create_blog(by=editor, title="Local elections", slug="local-2018")
    assert LiveBlog.objects.get(slug="local-2018").title == "Local elections"
    assert blog.last_seq == 0 and not LiveEvent.objects.exists()


def test_a_reporter_cannot_start_or_change_a_blog(reporter, blog):
    with pytest.raises(PermissionDenied):
        services.create_blog(by=reporter, title="Mine", slug="mine")
    with pytest.raises(PermissionDenied):
        services.update_blog(blog, by=reporter, title="Mine")
    assert not LiveBlog.objects.filter(slug="mine").exists()
    blog.refresh_from_db()
    assert blog.title != "Mine"


@pytest.mark.parametrize(
    "fields",
    [
        {"time_zone": "Mars/Olympus_Mons"},
        {"slug": "not a slug!"},
        {"title": ""},
        {"status": "exploded"},
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(editor, blog, fields):
    before = LiveBlog.objects.values().get(pk=blog.pk)
    with pytest.raises(ValidationError):
        services.update_blog(blog, by=editor, **fields)
    assert LiveBlog.objects.values().get(pk=blog.pk) == before
    assert not LiveEvent.objects.exists()


def test_a_taken_slug_is_refused(editor, blog):
    with pytest.raises(ValidationError):
        services.create_blog(by=editor, title="Copy", slug=blog.slug)


def test_last_seq_is_never_settable(editor, blog):
    with pytest.raises(TypeError):
        services.update_blog(blog, by=editor, last_seq=0)


def test_a_stale_copy_never_writes_back_last_seq(editor, reporter, blog):
    stale = LiveBlog.objects.get(pk=blog.pk)
    services.create_post(blog=blog, by=reporter, headline="Meanwhile")
    services.update_blog(stale, by=editor, description="Results as they come")
    assert LiveBlog.objects.get(pk=blog.pk).last_seq == 1
    assert stale.last_seq == 1  # the caller's copy now shows what is stored


def test_only_a_change_of_status_is_an_event_and_no_change_is_nothing(editor, blog):
    services.update_blog(blog, by=editor, title="GE2017")
    services.update_blog(blog, by=editor, title="GE2017")
    assert not LiveEvent.objects.exists()
    services.set_blog_status(blog, status=LiveBlog.Status.PAUSED, by=editor)
    services.set_blog_status(blog, status=LiveBlog.Status.PAUSED, by=editor)
    assert list(LiveEvent.objects.values_list("kind", "data")) == [
        ("blog.status", {"status": "paused"})
    ]


def test_the_admin_starts_a_blog_through_the_service(client, editor, monkeypatch):
    calls = []
    real = services.create_blog
    monkeypatch.setattr(services, "create_blog", lambda **kw: calls.append(kw) or real(**kw))
    client.force_login(editor)
    response = client.post(
        reverse("admin:liveblog_liveblog_add"),
        {
            "title": "Budget day",
            "slug": "budget",
            "description": "",
            "status": "live",
            "time_zone": "Europe/London",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    assert [c["slug"] for c in calls] == ["budget"]
    assert LiveBlog.objects.filter(slug="budget").exists()
