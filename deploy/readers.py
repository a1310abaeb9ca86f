"""Live-page readers as WebSocket clients with live.js's logic, for tests/deploy and bench/.

Each reader keeps the last seq it applied, ignores duplicates, resyncs on a gap or a
heartbeat that is ahead, gives up a handshake after `handshake_timeout`, treats silence
longer than `silence_timeout` (two missed heartbeats) as a dead connection, and reconnects
with `?after=<last seq>` after live.js's backoff with jitter. A `{"kind": "reload"}` is
counted (a reader told to reload would lose its place) and the reader stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import websockets
from websockets.exceptions import WebSocketException
from websockets.typing import Origin


@dataclass(eq=False)
class Reader:
    url: str  # ws://host:port/ws/live/<slug>/
    origin: str
    last_seq: int = 0
    handshake_timeout: float = 5.0
    silence_timeout: float = 60.0
    # Shared by the readers of one benchmark client process: at most this many of them in
    # a handshake at once. Thousands of readers on one event loop are not thousands of
    # browsers: reconnecting all at once, the loop falls seconds behind, and its own lag
    # times their handshakes out. None: no limit.
    handshakes: asyncio.Semaphore | None = field(default=None, repr=False)
    applied: list[int] = field(default_factory=list)
    applied_at: dict[int, float] = field(default_factory=dict)
    duplicates: int = 0
    gaps: int = 0
    reloads: int = 0
    connects: int = 0
    drops: int = 0
    connected: bool = False
    # Set by churn: close the current socket and reconnect at once, as a page reload would.
    _socket: object | None = None

    def receive(self, message: dict, now: float) -> str | None:
        """Apply one message as live.js does; "resync" or "reload" when the socket must go."""
        kind = message.get("kind")
        if kind == "reload":
            self.reloads += 1
            return "reload"
        seq = message.get("seq")
        if kind == "heartbeat":
            return "resync" if seq is not None and seq > self.last_seq else None
        if seq is None:
            return None
        if seq <= self.last_seq:
            self.duplicates += 1
            return None
        if seq > self.last_seq + 1:
            self.gaps += 1
            return "resync"
        self.last_seq = seq
        self.applied.append(seq)
        self.applied_at[seq] = now
        return None

    async def run(self, stop: asyncio.Event) -> None:
        attempt = 0
        while not stop.is_set():
            outcome = await self._session(stop)
            if outcome == "reload":
                return
            if outcome == "resync":
                attempt = 0
                continue
            # live.js: exponential backoff with full jitter, from 0.5-1 s.
            ceiling = min(30.0, 1.0 * 2**attempt)
            attempt += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), ceiling / 2 + random.random() * ceiling / 2)

    async def _session(self, stop: asyncio.Event) -> str | None:
        try:
            async with self.handshakes or contextlib.nullcontext():
                ws = await websockets.connect(
                    f"{self.url}?after={self.last_seq}",
                    origin=Origin(self.origin),
                    open_timeout=self.handshake_timeout,
                    ping_interval=None,
                    close_timeout=1,
                    max_queue=None,
                    compression=None,
                )
            async with ws:
                self.connects += 1
                self.connected = True
                self._socket = ws
                try:
                    while not stop.is_set():
                        raw = await asyncio.wait_for(ws.recv(), self.silence_timeout)
                        outcome = self.receive(json.loads(raw), time.monotonic())
                        if outcome:
                            return outcome
                finally:
                    self.connected = False
                    self._socket = None
        except (OSError, TimeoutError, WebSocketException):
            self.drops += 1
        return None

    async def churn(self) -> None:
        """Close the socket now; the reader reconnects with ?after= at once."""
        ws = self._socket
        if ws is not None:
            await ws.close()  # type: ignore[attr-defined]


class ReaderPool:
    """Readers on an event loop in a background thread, so a synchronous test or benchmark
    can kill and freeze processes while they read."""

    def __init__(self, readers: list[Reader], *, connect_pace: int = 200) -> None:
        self.readers = readers
        self.connect_pace = connect_pace
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._stop: asyncio.Event | None = None
        self._tasks: list[asyncio.Task] = []

    def start(self) -> ReaderPool:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=60)
        return self

    async def _start(self) -> None:
        self._stop = asyncio.Event()
        for i, reader in enumerate(self.readers):
            self._tasks.append(asyncio.create_task(reader.run(self._stop)))
            if i % self.connect_pace == self.connect_pace - 1:
                await asyncio.sleep(0.05)

    def call(self, fn: Callable[[], object]) -> object:
        """Run `fn` on the readers' loop (to read their state consistently)."""

        async def run() -> object:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=30)

    def churn(self, readers: list[Reader]) -> None:
        async def run() -> None:
            await asyncio.gather(*(r.churn() for r in readers), return_exceptions=True)

        asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=30)

    def wait(self, condition: Callable[[], bool], *, timeout: float) -> bool:
        """Until `condition()` (evaluated on the readers' loop) holds, or the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.call(condition):
                return True
            time.sleep(0.1)
        return bool(self.call(condition))

    def all_connected(self) -> bool:
        return all(r.connected for r in self.readers)

    def all_at(self, seq: int) -> bool:
        return all(r.last_seq >= seq for r in self.readers)

    def close(self) -> None:
        async def stop() -> None:
            assert self._stop is not None
            self._stop.set()
            await asyncio.gather(*(r.churn() for r in self.readers), return_exceptions=True)
            await asyncio.wait(self._tasks, timeout=10)

        if self._stop is not None:
            asyncio.run_coroutine_threadsafe(stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
