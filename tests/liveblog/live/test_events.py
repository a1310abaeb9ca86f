"""The event log: gap-free seq under concurrent writers, broadcast after commit only, and a
failed broadcast never breaks the save (issue 4)."""

import asyncio
import logging
import threading
from types import SimpleNamespace

import pytest
from django.db import connection

from liveblog import services
from liveblog.live import events
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


class BrokenLayer:
    def __init__(self):
        self.calls = 0

    async def group_send(self, group, message):
        self.calls += 1
        raise ConnectionError("Redis is down")


@pytest.fixture
def clock(monkeypatch):
    """The breaker's clock, moved by hand: `clock.now += seconds`."""
    clock = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(events, "time", SimpleNamespace(monotonic=lambda: clock.now))
    return clock


@pytest.mark.django_db
def test_a_failed_broadcast_is_logged_and_the_save_stands(
    blog, editor, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(events, "get_channel_layer", BrokenLayer)

    with (
        caplog.at_level(logging.WARNING, logger="liveblog.live.events"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        post = services.create_post(blog=blog, by=editor, headline="Still saved")

    assert Post.objects.filter(pk=post.pk, headline="Still saved").exists()
    assert LiveEvent.objects.filter(post=post, seq=1).exists()
    assert "channel layer unreachable" in caplog.text
    assert "Redis is down" in caplog.text


@pytest.mark.django_db
def test_while_redis_is_down_writes_skip_the_layer_and_warn_once(
    blog, editor, monkeypatch, caplog, clock, django_capture_on_commit_callbacks
):
    layer = BrokenLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    with caplog.at_level(logging.WARNING, logger="liveblog.live.events"):
        for n in range(5):
            with django_capture_on_commit_callbacks(execute=True):
                services.create_post(blog=blog, by=editor, headline=f"Post {n}")

    assert LiveEvent.objects.filter(blog=blog).count() == 5
    assert layer.calls == 1  # the breaker is open: no per-write timeout
    assert [r.levelname for r in caplog.records] == ["WARNING"]


@pytest.mark.django_db
def test_a_broadcast_that_hangs_gives_up_after_the_timeout(
    blog, editor, monkeypatch, settings, caplog, django_capture_on_commit_callbacks
):
    settings.LIVE_BROADCAST_TIMEOUT = 0.05

    class HangingLayer:
        async def group_send(self, group, message):
            await asyncio.sleep(60)

    monkeypatch.setattr(events, "get_channel_layer", HangingLayer)
    with (
        caplog.at_level(logging.WARNING, logger="liveblog.live.events"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        post = services.create_post(blog=blog, by=editor, headline="Saved anyway")

    assert Post.objects.filter(pk=post.pk).exists()
    assert "no answer within 0.05 s" in caplog.text


@pytest.mark.django_db
def test_the_first_broadcast_after_the_cooldown_reports_the_layer_back(
    blog, editor, monkeypatch, settings, caplog, django_capture_on_commit_callbacks
):
    settings.LIVE_BROADCAST_RETRY_SECONDS = 0
    sent = []

    class WorkingLayer:
        async def group_send(self, group, message):
            sent.append(message["seq"])

    with caplog.at_level(logging.WARNING, logger="liveblog.live.events"):
        monkeypatch.setattr(events, "get_channel_layer", BrokenLayer)
        with django_capture_on_commit_callbacks(execute=True):
            services.create_post(blog=blog, by=editor, headline="While down")
        monkeypatch.setattr(events, "get_channel_layer", WorkingLayer)
        with django_capture_on_commit_callbacks(execute=True):
            services.create_post(blog=blog, by=editor, headline="Back")

    assert sent == [2]
    assert [r.getMessage() for r in caplog.records][-1] == "live broadcast: channel layer is back"


class FlakyLayer:
    """Fails the broadcasts whose number is in `failing` (1-based), sends the others."""

    def __init__(self, failing: set[int]):
        self.failing = failing
        self.calls = 0
        self.sent: list[int] = []

    async def group_send(self, group, message):
        self.calls += 1
        if self.calls in self.failing:
            raise TimeoutError("no answer within 0.5 s")
        self.sent.append(message["seq"])


@pytest.mark.django_db
def test_one_failed_broadcast_skips_the_layer_for_a_timeout_not_the_whole_retry_period(
    blog, editor, monkeypatch, settings, clock, django_capture_on_commit_callbacks
):
    """The soak's minute 4: one broadcast timed out, and the breaker then skipped every
    write's broadcast for LIVE_BROADCAST_RETRY_SECONDS (5 s), so readers waited up to 5 s.
    After a single failure the layer is tried again once a timeout's length has passed."""
    settings.LIVE_BROADCAST_TIMEOUT = 0.5
    settings.LIVE_BROADCAST_RETRY_SECONDS = 5
    layer = FlakyLayer(failing={1})
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)

    for step in (0.0, 0.2, 1.0):  # a write a little later each time
        clock.now += step
        with django_capture_on_commit_callbacks(execute=True):
            services.create_post(blog=blog, by=editor, headline=f"After {step}")

    # seq 1 timed out, seq 2 came within the cooldown, seq 3 went out (and shows the hubs
    # the gap, which they fill from the log).
    assert layer.calls == 2
    assert layer.sent == [3]


@pytest.mark.django_db
def test_a_layer_that_stays_down_is_tried_ever_less_often_up_to_the_retry_period(
    blog, editor, monkeypatch, settings, clock, caplog, django_capture_on_commit_callbacks
):
    settings.LIVE_BROADCAST_TIMEOUT = 0.5
    settings.LIVE_BROADCAST_RETRY_SECONDS = 5
    layer = BrokenLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    tried_at = []

    with caplog.at_level(logging.WARNING, logger="liveblog.live.events"):
        for _ in range(91):  # a write every 0.25 s for 22.5 s
            before = layer.calls
            with django_capture_on_commit_callbacks(execute=True):
                services.create_post(blog=blog, by=editor, headline="Down")
            if layer.calls > before:
                tried_at.append(clock.now - 1000.0)
            clock.now += 0.25

    # Waits of 0.5, 1, 2, 4 s, then the retry period (5 s).
    assert tried_at == [0.0, 0.5, 1.5, 3.5, 7.5, 12.5, 17.5, 22.5]
    assert [r.levelname for r in caplog.records] == ["WARNING"]
