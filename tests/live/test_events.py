"""The event log: gap-free seq under concurrent writers, broadcast after commit only, and a
failed broadcast never breaks the save (issue 4)."""

import logging
import threading

import pytest
from django.db import connection

from liveblog import events, services
from liveblog.models import LiveEvent, Post


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_get_a_gap_free_strictly_increasing_seq(blog, editor, reporter):
    per_writer = 15
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(user, name):
        try:
            start.wait()
            for n in range(per_writer):
                services.create_post(blog=blog, by=user, headline=f"{name} {n}")
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=writer, args=(editor, "editor")),
        threading.Thread(target=writer, args=(reporter, "reporter")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    seqs = list(LiveEvent.objects.filter(blog=blog).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 2 * per_writer + 1))
    blog.refresh_from_db()
    assert blog.last_seq == 2 * per_writer
    # Every post has exactly one event.
    assert LiveEvent.objects.filter(blog=blog).values("post").distinct().count() == 2 * per_writer
    assert Post.objects.filter(blog=blog).count() == 2 * per_writer


@pytest.mark.django_db
def test_a_failed_broadcast_is_logged_and_the_save_stands(
    blog, editor, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    class BrokenLayer:
        async def group_send(self, group, message):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(events, "get_channel_layer", lambda: BrokenLayer())

    with (
        caplog.at_level(logging.ERROR, logger="liveblog.events"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        post = services.create_post(blog=blog, by=editor, headline="Still saved")

    assert Post.objects.filter(pk=post.pk, headline="Still saved").exists()
    assert LiveEvent.objects.filter(post=post, seq=1).exists()
    assert "broadcast of blog" in caplog.text
    assert "Redis is down" in caplog.text
