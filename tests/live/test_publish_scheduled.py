"""Scheduled posts go out through the same service and are broadcast (issue 4)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from liveblog import services
from liveblog.models import LiveEvent, Post

pytestmark = pytest.mark.django_db


def test_publish_scheduled_publishes_due_posts_and_broadcasts_them(
    blog, editor, django_capture_on_commit_callbacks, monkeypatch
):
    post = services.create_post(
        blog=blog,
        by=editor,
        headline="At the top of the hour",
        published_at=timezone.now() + timedelta(hours=1),
    )
    later = services.create_post(
        blog=blog, by=editor, headline="Tomorrow", published_at=timezone.now() + timedelta(days=1)
    )
    assert post.status == Post.Status.SCHEDULED
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    sent = []
    monkeypatch.setattr("liveblog.live.events._broadcast", sent.append)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_scheduled")

    post.refresh_from_db()
    later.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert later.status == Post.Status.SCHEDULED
    event = LiveEvent.objects.get(blog=blog)
    assert (event.kind, event.post_id, event.seq) == ("post.published", post.pk, 1)
    assert [message["seq"] for message in sent] == [1]


def test_publish_scheduled_with_nothing_due_changes_nothing(blog, editor):
    services.create_post(
        blog=blog, by=editor, headline="Later", published_at=timezone.now() + timedelta(hours=2)
    )
    call_command("publish_scheduled")
    assert not LiveEvent.objects.exists()
