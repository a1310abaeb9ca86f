"""A slow reader's messages stay in order behind its pending send, and a reader whose
backlog passes the bound is closed and catches up on reconnect (issue 12)."""

import asyncio
import json

import pytest

from liveblog.live import hub as hub_module
from liveblog.live.hub import CLOSE_TOO_SLOW, Hub, Reader, _Followed, frame


class SlowSocket:
    """A reader's send that waits on a gate for its first message, as uvicorn's send waits
    while the socket's buffer is full."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.sent: list[dict] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def send(self, message: dict) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if not self.sent and not self.gate.is_set():
                await self.gate.wait()
            self.sent.append(message)
        finally:
            self.in_flight -= 1

    def seqs(self) -> list:
        return [json.loads(m["text"]).get("seq") for m in self.sent if "text" in m]


def follow(the_hub: Hub, *readers: Reader) -> _Followed:
    blog = _Followed(id=1, slug="b", last_seq=0)
    for reader in readers:
        reader.blog_id = blog.id
        blog.readers.add(reader)
    the_hub._blogs[blog.id] = blog
    return blog


def event(seq: int) -> dict:
    return frame({"seq": seq, "kind": "post.published", "post_id": seq, "html": f"<p>{seq}</p>"})


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_a_slow_readers_messages_queue_behind_its_pending_send_in_order():
    the_hub = Hub()
    socket = SlowSocket()
    slow = Reader(socket.send)
    blog = follow(the_hub, slow)

    for seq in range(1, 6):
        the_hub._deliver(blog, seq, seq, "post.published", event(seq))
    await settle()
    assert socket.sent == []  # the first send still waits
    socket.gate.set()
    await settle()

    assert socket.seqs() == [1, 2, 3, 4, 5]
    assert socket.most_in_flight == 1
    assert slow.backlog is None  # idle again: the next event goes out inline


async def test_a_slow_reader_does_not_hold_up_a_fast_one():
    the_hub = Hub()
    slow_socket, fast_socket = SlowSocket(), SlowSocket()
    fast_socket.gate.set()
    blog = follow(the_hub, Reader(slow_socket.send), Reader(fast_socket.send))

    for seq in range(1, 4):
        the_hub._deliver(blog, seq, seq, "post.published", event(seq))

    assert fast_socket.seqs() == [1, 2, 3]  # sent inline, no task
    assert slow_socket.sent == []


async def test_a_reader_whose_backlog_passes_the_bound_is_closed_with_a_clear_code():
    the_hub = Hub()
    the_hub.backlog_limit = 3
    socket = SlowSocket()
    slow = Reader(socket.send)
    blog = follow(the_hub, slow)

    for seq in range(1, 10):
        the_hub._deliver(blog, seq, seq, "post.published", event(seq))
    socket.gate.set()
    await settle()

    assert socket.seqs()[0] == 1
    assert socket.sent[-1] == {"type": "websocket.close", "code": CLOSE_TOO_SLOW}
    assert slow not in blog.readers
    assert len(socket.sent) <= 1 + 3 + 1


async def test_every_send_task_is_referenced_until_it_is_done():
    the_hub = Hub()
    socket = SlowSocket()
    blog = follow(the_hub, Reader(socket.send))
    the_hub._deliver(blog, 1, 1, "post.published", event(1))
    assert len(the_hub._tasks) == 1
    socket.gate.set()
    await settle()
    assert the_hub._tasks == set()


@pytest.mark.django_db(transaction=True)
async def test_a_reader_closed_for_being_slow_catches_up_when_it_reconnects(blog, editor):
    from channels.db import database_sync_to_async

    from liveblog import services
    from tests.live.test_hub import connect, seqs

    for n in range(3):
        await database_sync_to_async(services.create_post)(blog=blog, by=editor, headline=f"{n}")
    reader = connect(blog.slug, after=0)
    assert (await reader.connect())[0]
    assert await seqs(reader, 3) == [1, 2, 3]
    the_hub = hub_module.get_hub()
    (followed,) = the_hub._blogs.values()
    (server_side,) = followed.readers
    the_hub._drop_slow(server_side)
    assert await reader.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": CLOSE_TOO_SLOW,
    }
    await database_sync_to_async(services.create_post)(blog=blog, by=editor, headline="missed")
    await reader.disconnect()

    again = connect(blog.slug, after=3)
    assert (await again.connect())[0]
    assert await seqs(again, 1) == [4]
    await again.disconnect()
