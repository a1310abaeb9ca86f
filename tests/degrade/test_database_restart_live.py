"""Live readers through a real PostgreSQL restart (issue 10): the app as in production
(uvicorn, production settings, a PostgreSQL of this module's own), WebSocket readers
connected, the database stopped and started again. Readers stay connected while it is
away, writes answer 503, and once it is back every reader gets every new seq once and in
order, without a reload: the hub's heartbeat and catch-up recover by themselves."""

import asyncio
import json
from collections.abc import Callable

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.degrade.production import SLUG, production_app

READERS = 3
# Every bounded wait in this module; far more than any step needs.
WAIT = 20.0


@pytest.fixture(scope="module")
def app(pg):
    with production_app(database_url=pg.url("liveblog"), LIVE_HEARTBEAT_SECONDS="0.3") as app:
        yield app


class LiveReader:
    """Follows the blog as the live page does: from the last seq it saw, reconnecting
    (with ?after=) whenever the socket closes."""

    def __init__(self, base: str, after: int) -> None:
        self.url = base.replace("http://", "ws://") + f"/ws/live/{SLUG}/"
        self.origin = base
        self.after = after
        self.messages: list[dict] = []
        self.connections = 0

    @property
    def seqs(self) -> list[int]:
        return [m["seq"] for m in self.messages if m.get("kind") not in ("heartbeat", "reload")]

    async def run(self) -> None:
        while True:
            try:
                async with connect(f"{self.url}?after={self.after}", origin=self.origin) as ws:
                    self.connections += 1
                    async for raw in ws:
                        message = json.loads(raw)
                        self.messages.append(message)
                        if message.get("kind") not in ("heartbeat", "reload"):
                            self.after = message["seq"]
            except (ConnectionClosed, OSError):
                pass
            await asyncio.sleep(0.2)


async def until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), WAIT)


async def test_live_readers_get_every_post_once_and_in_order_across_a_postgresql_restart(app, pg):
    readers = [LiveReader(app.base, after=1) for _ in range(READERS)]  # seq 1: the setup post
    tasks = [asyncio.create_task(reader.run()) for reader in readers]
    try:
        await until(lambda: all(reader.connections for reader in readers))
        assert (await asyncio.to_thread(app.api_create, "Before"))[0] == 201
        await until(lambda: all(reader.seqs == [2] for reader in readers))

        await asyncio.to_thread(pg.stop)
        try:
            refused, _, _ = await asyncio.to_thread(app.api_create, "While it is away")
            # A reader arriving now joins from the hub's memory, without the database.
            late = LiveReader(app.base, after=1)
            tasks.append(asyncio.create_task(late.run()))
            await until(lambda: late.seqs == [2])
            readers.append(late)
            heard = [len(reader.messages) for reader in readers]
            # The hub keeps beating while its database reads fail.
            await until(
                lambda: all(
                    len(reader.messages) > n + 1 for reader, n in zip(readers, heard, strict=True)
                )
            )
        finally:
            await asyncio.to_thread(pg.start)
        created = [(await asyncio.to_thread(app.api_create, f"After {n}"))[0] for n in range(3)]
        await until(lambda: all(len(reader.seqs) >= 4 for reader in readers))
        # Anything duplicated or late would show after the next few heartbeats.
        beats = [len(reader.messages) for reader in readers]
        await until(
            lambda: all(
                len(reader.messages) > n + 2 for reader, n in zip(readers, beats, strict=True)
            )
        )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    assert refused == 503
    assert created == [201, 201, 201]
    assert len(readers) == READERS + 1
    for reader in readers:
        assert reader.seqs == [2, 3, 4, 5]
        assert {"kind": "reload"} not in reader.messages
        assert reader.connections == 1
