"""The per-process hub: catch-up from memory, one-query catch-up from the log, healing
lost layer messages (issue 4)."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from liveblog import selectors, services
from liveblog.live import events, hub

pytestmark = pytest.mark.django_db(transaction=True)

file_post = database_sync_to_async(services.create_post)


def connect(slug: str, after: int | None = None) -> WebsocketCommunicator:
    query = f"?after={after}" if after is not None else ""
    return WebsocketCommunicator(
        application, f"/ws/live/{slug}/{query}", headers=[(b"origin", b"http://127.0.0.1")]
    )


async def seqs(reader: WebsocketCommunicator, count: int) -> list[int]:
    return [json.loads(await reader.receive_from(timeout=3))["seq"] for _ in range(count)]


async def test_reader_joining_a_followed_blog_catches_up_from_memory(blog, editor, monkeypatch):
    first = connect(blog.slug, after=0)
    await first.connect()
    await file_post(blog=blog, by=editor, headline="One")
    await file_post(blog=blog, by=editor, headline="Two")
    assert await seqs(first, 2) == [1, 2]

    def no_database(*args, **kwargs):
        raise AssertionError("the hub should answer from memory")

    monkeypatch.setattr(hub, "_get_blog", no_database)
    monkeypatch.setattr(hub, "_catch_up_from_log", no_database)
    second = connect(blog.slug, after=0)
    assert (await second.connect())[0]
    assert await seqs(second, 2) == [1, 2]
    await first.disconnect()
    await second.disconnect()


def test_catch_up_from_the_log_reads_the_events_in_one_query(
    blog, editor, django_assert_num_queries
):
    for n in range(5):
        services.create_post(blog=blog, by=editor, headline=f"Post {n}")
    blog.refresh_from_db()
    with django_assert_num_queries(1):
        caught_up = selectors.list_events_after(blog, after=2, limit=100, last_seq=blog.last_seq)
    assert [event.seq for event in caught_up] == [3, 4, 5]


async def test_a_lost_layer_message_is_refilled_from_the_log_in_order(blog, editor, monkeypatch):
    reader = connect(blog.slug, after=0)
    await reader.connect()
    with monkeypatch.context() as patch:
        patch.setattr(events, "_broadcast", lambda message: None)  # the layer loses seq 1
        await file_post(blog=blog, by=editor, headline="Lost on the way")
    await file_post(blog=blog, by=editor, headline="Arrives")
    assert await seqs(reader, 2) == [1, 2]
    assert await reader.receive_nothing(timeout=0.1)
    await reader.disconnect()


async def test_heartbeat_heals_a_silent_gap_and_carries_the_latest_seq(blog, editor, monkeypatch):
    reader = connect(blog.slug, after=0)
    await reader.connect()
    monkeypatch.setattr(events, "_broadcast", lambda message: None)
    await file_post(blog=blog, by=editor, headline="Published while Redis was away")

    await hub.get_hub().beat()

    refilled = json.loads(await reader.receive_from(timeout=3))
    beat = json.loads(await reader.receive_from(timeout=3))
    assert (refilled["seq"], refilled["kind"]) == (1, "post.published")
    assert beat == {"kind": "heartbeat", "seq": 1}
    await reader.disconnect()


async def test_hub_stops_following_a_blog_when_its_last_reader_leaves(blog):
    reader = connect(blog.slug)
    await reader.connect()
    the_hub = hub.get_hub()
    assert the_hub.reader_count == 1
    await reader.disconnect()
    assert the_hub.reader_count == 0


async def test_readers_of_one_blog_in_one_process_cost_one_layer_message_per_event(
    blog, editor, monkeypatch
):
    the_hub = hub.get_hub()
    layer_messages = []
    on_event = the_hub._on_event

    async def counting(blog_id, seq, text, **details):
        layer_messages.append(seq)
        await on_event(blog_id, seq, text, **details)

    monkeypatch.setattr(the_hub, "_on_event", counting)
    readers = [connect(blog.slug) for _ in range(5)]
    for reader in readers:
        assert (await reader.connect())[0]

    await file_post(blog=blog, by=editor, headline="One event")

    for reader in readers:
        assert await seqs(reader, 1) == [1]
    assert layer_messages == [1]
    for reader in readers:
        await reader.disconnect()
