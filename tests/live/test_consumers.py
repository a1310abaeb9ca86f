"""The reader WebSocket: catch-up, live delivery, ordering, policy (issue 4)."""

import json

import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from liveblog import services
from liveblog.live.consumers import CLOSE_READ_ONLY, CLOSE_TOO_MANY, CLOSE_UNKNOWN_BLOG
from liveblog.models import LiveBlog

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://127.0.0.1")


def connect(slug: str, *, after: int | None = None, origin=ORIGIN) -> WebsocketCommunicator:
    path = f"/ws/live/{slug}/" + (f"?after={after}" if after is not None else "")
    headers = [origin] if origin else []
    return WebsocketCommunicator(application, path, headers=headers)


async def receive(communicator: WebsocketCommunicator) -> dict:
    return json.loads(await communicator.receive_from(timeout=3))


file_post = sync_to_async(services.create_post)
update_post = sync_to_async(services.update_post)
delete_post = sync_to_async(services.delete_post)


async def test_reader_receives_every_event_after_its_seq_then_live_events(blog, editor):
    first = await file_post(blog=blog, by=editor, headline="One")
    await file_post(blog=blog, by=editor, headline="Two")
    reader = connect(blog.slug, after=1)
    connected, _ = await reader.connect()
    assert connected

    caught_up = await receive(reader)
    assert (caught_up["seq"], caught_up["kind"]) == (2, "post.published")
    assert "Two" in caught_up["html"]

    third = await file_post(blog=blog, by=editor, headline="Three")
    live = await receive(reader)
    assert live == {
        "seq": 3,
        "kind": "post.published",
        "post_id": third.pk,
        "html": live["html"],
    }
    assert f'id="post-{third.pk}"' in live["html"]
    assert await reader.receive_nothing(timeout=0.1)
    assert first.pk != third.pk
    await reader.disconnect()


async def test_edits_and_deletes_arrive_in_order(blog, editor):
    post = await file_post(blog=blog, by=editor, headline="Draft headline")
    reader = connect(blog.slug, after=1)
    await reader.connect()

    await update_post(post, by=editor, expected_version=post.version, headline="Fixed")
    await delete_post(post, by=editor)

    edited, deleted = await receive(reader), await receive(reader)
    assert (edited["seq"], edited["kind"]) == (2, "post.updated")
    assert "Fixed" in edited["html"]
    assert (deleted["seq"], deleted["kind"], deleted["post_id"]) == (3, "post.deleted", post.pk)
    assert deleted["html"] == ""
    await reader.disconnect()


async def test_reader_without_after_gets_only_new_events(blog, editor):
    await file_post(blog=blog, by=editor, headline="Old")
    reader = connect(blog.slug)
    await reader.connect()
    assert await reader.receive_nothing(timeout=0.1)

    await file_post(blog=blog, by=editor, headline="New")
    assert (await receive(reader))["seq"] == 2
    await reader.disconnect()


async def test_two_readers_of_one_blog_each_get_each_event_once(blog, editor):
    readers = [connect(blog.slug, after=0) for _ in range(2)]
    for reader in readers:
        await reader.connect()
    await file_post(blog=blog, by=editor, headline="Hello")
    for reader in readers:
        assert (await receive(reader))["seq"] == 1
        assert await reader.receive_nothing(timeout=0.1)
        await reader.disconnect()


async def test_reader_too_far_behind_is_told_to_reload(blog, editor, settings):
    settings.LIVE_CATCH_UP_LIMIT = 2
    for n in range(4):
        await file_post(blog=blog, by=editor, headline=f"Post {n}")
    reader = connect(blog.slug, after=1)
    await reader.connect()
    assert await receive(reader) == {"kind": "reload"}
    assert (await reader.receive_output(timeout=1))["type"] == "websocket.close"


async def test_reader_ahead_of_the_log_is_told_to_reload(blog, editor):
    await file_post(blog=blog, by=editor, headline="Only one")
    reader = connect(blog.slug, after=99)
    await reader.connect()
    assert await receive(reader) == {"kind": "reload"}


async def test_unknown_blog_is_closed_with_a_clear_code(db):
    reader = connect("no-such-blog")
    connected, _ = await reader.connect()
    assert connected
    closed = await reader.receive_output(timeout=1)
    assert closed == {"type": "websocket.close", "code": CLOSE_UNKNOWN_BLOG}


async def test_foreign_origin_is_refused(blog):
    reader = connect(blog.slug, origin=(b"origin", b"https://evil.example"))
    connected, _ = await reader.connect()
    assert not connected


async def test_inbound_frame_from_a_reader_closes_the_socket(blog):
    reader = connect(blog.slug)
    await reader.connect()
    await reader.send_to(text_data="x" * 10)
    closed = await reader.receive_output(timeout=1)
    assert closed == {"type": "websocket.close", "code": CLOSE_READ_ONLY}


async def test_blog_status_change_reaches_readers(blog, editor):
    reader = connect(blog.slug)
    await reader.connect()
    await sync_to_async(services.set_blog_status)(blog, status=LiveBlog.Status.ENDED, by=editor)
    event = await receive(reader)
    assert (event["kind"], event["data"]) == ("blog.status", {"status": "ended"})
    await reader.disconnect()


async def test_unknown_websocket_path_is_refused(db):
    reader = WebsocketCommunicator(application, "/ws/elsewhere/", headers=[ORIGIN])
    connected, _ = await reader.connect()
    assert not connected


def from_address(slug: str, address: str) -> WebsocketCommunicator:
    reader = connect(slug)
    reader.scope["client"] = (address, 50000)
    return reader


async def test_a_client_address_over_its_connection_cap_is_closed_with_4429(blog, settings):
    settings.LIVE_MAX_CONNECTIONS_PER_ADDRESS = 2
    held = [from_address(blog.slug, "203.0.113.7") for _ in range(2)]
    for reader in held:
        assert (await reader.connect())[0]

    third = from_address(blog.slug, "203.0.113.7")
    assert (await third.connect())[0]
    assert await third.receive_output(timeout=1) == {
        "type": "websocket.close",
        "code": CLOSE_TOO_MANY,
    }
    other = from_address(blog.slug, "198.51.100.1")
    assert (await other.connect())[0]
    assert await other.receive_nothing(timeout=0.1)
    for reader in [*held, other]:
        await reader.disconnect()


async def test_a_closed_connection_frees_its_place_under_the_cap(blog, settings):
    settings.LIVE_MAX_CONNECTIONS_PER_ADDRESS = 1
    first = from_address(blog.slug, "203.0.113.7")
    assert (await first.connect())[0]
    await first.disconnect()

    again = from_address(blog.slug, "203.0.113.7")
    assert (await again.connect())[0]
    assert await again.receive_nothing(timeout=0.1)
    await again.disconnect()
