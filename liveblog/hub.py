"""Per-process fan-out of live events to the WebSocket readers connected to this process.

One channel-layer channel per process joins the group of every blog that has local
readers, so a publish costs one layer message per server process, not one per reader.
Each event arrives here once, already serialised; the same ASGI message is then handed
to every local reader of that blog.

The hub also heals: a heartbeat every HEARTBEAT_SECONDS reads the blogs' latest seq (one
query per process, not per reader), refills any gap from the event log (a lost layer
message, a Redis restart), renews the group membership and tells every reader the
latest seq so their own gaps heal by catch-up.
"""

import asyncio
import gc
import json
import logging
import weakref
from collections.abc import Iterable
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from .events import blog_group_name, event_message
from .models import LiveBlog, LiveEvent

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS: float = getattr(settings, "LIVE_HEARTBEAT_SECONDS", 25.0)
# Full collections over tens of thousands of long-lived connection objects pause the
# loop for hundreds of ms; freezing moves them out of the collector's way.
GC_FREEZE_EVERY = 500


class Reader(Protocol):
    """What the hub needs of a connected reader (LiveConsumer implements it)."""

    base_send: Any
    pending: list[tuple[int, dict[str, Any]]] | None


def frame(payload: dict[str, Any]) -> dict[str, Any]:
    """The ASGI message for one payload. Built once, handed to every reader."""
    return {"type": "websocket.send", "text": json.dumps(payload, separators=(",", ":"))}


class Hub:
    def __init__(self) -> None:
        self._readers: dict[int, set[Reader]] = {}
        self._last_seq: dict[int, int] = {}
        self._channel: str | None = None
        self._tasks: list[asyncio.Task] = []
        self._lock = asyncio.Lock()
        self._joined = 0

    @property
    def reader_count(self) -> int:
        return sum(len(readers) for readers in self._readers.values())

    async def subscribe(self, blog_id: int, reader: Reader, *, last_seq: int) -> None:
        """Add a reader. Events from now on reach it (buffered while `reader.pending`)."""
        async with self._lock:
            layer = get_channel_layer()
            if self._channel is None:
                self._channel = await layer.new_channel(prefix="livehub.")
                self._tasks = [
                    asyncio.create_task(self._receive_loop(), name="livehub-receive"),
                    asyncio.create_task(self._heartbeat_loop(), name="livehub-heartbeat"),
                ]
            if blog_id not in self._readers:
                self._readers[blog_id] = set()
                self._last_seq[blog_id] = last_seq
                await layer.group_add(blog_group_name(blog_id), self._channel)
            self._readers[blog_id].add(reader)
            self._joined += 1
            if self._joined % GC_FREEZE_EVERY == 0:
                gc.freeze()

    async def unsubscribe(self, blog_id: int, reader: Reader) -> None:
        async with self._lock:
            readers = self._readers.get(blog_id)
            if readers is None:
                return
            readers.discard(reader)
            if readers:
                return
            del self._readers[blog_id]
            self._last_seq.pop(blog_id, None)
            layer = get_channel_layer()
            if self._channel is not None:
                await layer.group_discard(blog_group_name(blog_id), self._channel)
            if not self._readers:
                await self._stop()

    async def _stop(self) -> None:
        tasks, self._tasks, self._channel = self._tasks, [], None
        current = asyncio.current_task()
        for task in tasks:
            if task is not current:
                task.cancel()

    # Receiving ----------------------------------------------------------------------------

    async def _receive_loop(self) -> None:
        layer = get_channel_layer()
        channel = self._channel
        assert channel is not None
        while True:
            try:
                message = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live hub: channel layer receive failed; retrying")
                await asyncio.sleep(1)
                continue
            try:
                await self._on_event(message["blog_id"], message["seq"], message["frame"])
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live hub: delivering %r failed", message.get("seq"))

    async def _on_event(self, blog_id: int, seq: int, text: str) -> None:
        last = self._last_seq.get(blog_id)
        if last is None or seq <= last:
            return  # no local readers, or a duplicate
        if seq > last + 1:
            await self._refill(blog_id, after=last)
            if seq <= self._last_seq.get(blog_id, seq):
                return
        self._last_seq[blog_id] = seq
        self._fan_out(blog_id, seq, {"type": "websocket.send", "text": text})

    async def _refill(self, blog_id: int, *, after: int) -> None:
        """Deliver events after `after` from the log: the layer lost some."""
        events = await _events_after(blog_id, after)
        logger.warning("live hub: refilled %d missed events of blog %s", len(events), blog_id)
        for event in events:
            if event.seq > self._last_seq.get(blog_id, event.seq):
                self._last_seq[blog_id] = event.seq
                self._fan_out(blog_id, event.seq, frame(event_message(event)))

    def _fan_out(self, blog_id: int, seq: int, message: dict[str, Any]) -> None:
        for reader in tuple(self._readers.get(blog_id, ())):
            if reader.pending is not None:
                reader.pending.append((seq, message))
            else:
                _send_soon(reader, message)

    # Heartbeat ----------------------------------------------------------------------------

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self.beat()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live hub: heartbeat failed")

    async def beat(self) -> None:
        """Heal gaps, renew group membership and tell readers the latest seq."""
        blog_ids = list(self._readers)
        if not blog_ids:
            return
        latest = await _latest_seqs(blog_ids)
        layer = get_channel_layer()
        for blog_id in blog_ids:
            if blog_id not in self._readers or self._channel is None:
                continue
            await layer.group_add(blog_group_name(blog_id), self._channel)
            seq = latest.get(blog_id, 0)
            if seq > self._last_seq.get(blog_id, seq):
                await self._refill(blog_id, after=self._last_seq[blog_id])
            beat = frame({"kind": "heartbeat", "seq": self._last_seq.get(blog_id, seq)})
            for reader in tuple(self._readers.get(blog_id, ())):
                if reader.pending is None:
                    _send_soon(reader, beat)


def _send_soon(reader: Reader, message: dict[str, Any]) -> None:
    """Hand `message` to one reader's socket without letting that reader hold up the rest.

    Daphne's send, and uvicorn's while the socket is writable, finish without suspending:
    run the coroutine one step inline (no task per reader per event, the cost that
    dominates fan-out). Only a send that suspends (a slow reader whose socket is paused)
    is handed to a task, which resumes it when what it waits for is done.
    """
    try:
        coro = reader.base_send(message)
        if not asyncio.iscoroutine(coro):
            return
        awaiting = coro.send(None)
    except StopIteration:
        return
    except Exception:
        logger.debug("live hub: send to a closing reader failed", exc_info=True)
        return
    task = asyncio.ensure_future(_resume(coro, awaiting))
    task.add_done_callback(_ignore_result)


async def _resume(coro: Any, awaiting: Any) -> None:
    while True:
        if awaiting is None:
            await asyncio.sleep(0)
        else:
            # Wait for the future the send yielded; the send itself reads its outcome.
            await asyncio.wait([awaiting])
        try:
            awaiting = coro.send(None)
        except StopIteration:
            return


def _ignore_result(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.debug("live hub: send failed", exc_info=task.exception())


@database_sync_to_async
def _events_after(blog_id: int, after: int) -> list[LiveEvent]:
    return list(LiveEvent.objects.filter(blog_id=blog_id, seq__gt=after).order_by("seq"))


@database_sync_to_async
def _latest_seqs(blog_ids: Iterable[int]) -> dict[int, int]:
    return dict(LiveBlog.objects.filter(id__in=list(blog_ids)).values_list("id", "last_seq"))


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def get_hub() -> Hub:
    """The hub of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub()
    return hub
