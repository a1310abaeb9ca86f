"""Per-process fan-out of live events to the WebSocket readers connected to this process.

One channel-layer channel per process joins the group of every blog that has local
readers, so a publish costs one layer message per server process, not one per reader.
Each event arrives here once, already serialised; the same ASGI message is then handed
to every local reader of that blog.

The hub also remembers the latest events of each followed blog, so a reader who joins
or reconnects while the blog is followed here catches up from memory, without a query.
Only a reader further behind than that reads the event log (one query).

It heals: a heartbeat every HEARTBEAT_SECONDS reads the followed blogs' latest seq (one
query per process, not per reader), refills any gap from the event log (a lost layer
message, a Redis restart), renews the group membership and tells every reader the
latest seq so their own gaps heal by catch-up.
"""

import asyncio
import gc
import json
import logging
import weakref
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from . import selectors
from .events import blog_group_name, event_message
from .models import LiveBlog, LiveEvent

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS: float = getattr(settings, "LIVE_HEARTBEAT_SECONDS", 25.0)
# How many recent events per blog a process keeps for catch-up from memory.
RECENT_EVENTS = 256
# Full collections over tens of thousands of long-lived connection objects pause the
# loop for hundreds of ms; freezing moves them out of the collector's way.
GC_FREEZE_EVERY = 500

Message = dict[str, Any]


class Reader(Protocol):
    """What the hub needs of a connected reader (LiveConsumer implements it)."""

    base_send: Any
    pending: list[tuple[int, Message]] | None


def frame(payload: dict[str, Any]) -> Message:
    """The ASGI message for one payload. Built once, handed to every reader."""
    return {"type": "websocket.send", "text": json.dumps(payload, separators=(",", ":"))}


RELOAD = frame({"kind": "reload"})


class UnknownBlog(LookupError):
    pass


@dataclass(eq=False)
class _Followed:
    """A blog with readers in this process."""

    id: int
    slug: str
    last_seq: int
    readers: set = field(default_factory=set)
    recent: deque = field(default_factory=lambda: deque(maxlen=RECENT_EVENTS))

    def recent_after(self, after: int) -> list[tuple[int, Message]] | None:
        """The remembered events after `after`, or None when the log must answer: memory
        does not reach back that far, or the reader is ahead of what this process saw."""
        if after == self.last_seq:
            return []
        if after > self.last_seq:
            return None
        if not self.recent or self.recent[0][0] > after + 1:
            return None
        return [(seq, message) for seq, message in self.recent if seq > after]


class Hub:
    def __init__(self) -> None:
        self._blogs: dict[int, _Followed] = {}
        self._slugs: dict[str, int] = {}
        self._channel: str | None = None
        self._tasks: list[asyncio.Task] = []
        self._lock = asyncio.Lock()
        self._joined = 0

    @property
    def reader_count(self) -> int:
        return sum(len(blog.readers) for blog in self._blogs.values())

    async def join(
        self, slug: str, reader: Reader, *, after: int | None
    ) -> tuple[int, list[tuple[int, Message]] | None]:
        """Follow the blog `slug` for `reader`, from seq `after` (default: from now).

        Returns (blog id, catch-up messages), or (blog id, None) when the reader is too
        far behind, or ahead of the log, and must reload. From the moment this returns,
        live events reach `reader.pending` until the caller sets it to None.
        Raises UnknownBlog.
        """
        reader.pending = []
        blog = self._blogs.get(self._slugs.get(slug, -1))
        if blog is None:
            row = await _get_blog(slug)
            if row is None:
                raise UnknownBlog(slug)
            blog = await self._follow(row)
        blog.readers.add(reader)
        self._joined += 1
        if self._joined % GC_FREEZE_EVERY == 0:
            gc.freeze()
        start = blog.last_seq if after is None else after
        remembered = blog.recent_after(start)
        if remembered is not None:
            return blog.id, remembered
        return blog.id, await _catch_up_from_log(blog.id, start)

    async def leave(self, blog_id: int, reader: Reader) -> None:
        blog = self._blogs.get(blog_id)
        if blog is None:
            return
        blog.readers.discard(reader)
        if blog.readers:
            return
        async with self._lock:
            if blog.readers or self._blogs.get(blog_id) is not blog:
                return
            del self._blogs[blog_id]
            self._slugs.pop(blog.slug, None)
            if self._channel is not None:
                await get_channel_layer().group_discard(blog_group_name(blog_id), self._channel)
            if not self._blogs:
                self._stop()

    async def _follow(self, row: LiveBlog) -> _Followed:
        async with self._lock:
            blog = self._blogs.get(row.id)
            if blog is not None:
                return blog
            layer = get_channel_layer()
            if self._channel is None:
                self._channel = await layer.new_channel(prefix="livehub.")
                self._tasks = [
                    asyncio.create_task(self._receive_loop(), name="livehub-receive"),
                    asyncio.create_task(self._heartbeat_loop(), name="livehub-heartbeat"),
                ]
            blog = _Followed(id=row.id, slug=row.slug, last_seq=row.last_seq)
            await layer.group_add(blog_group_name(row.id), self._channel)
            self._blogs[row.id] = blog
            self._slugs[row.slug] = row.id
            return blog

    def _stop(self) -> None:
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
        blog = self._blogs.get(blog_id)
        if blog is None or seq <= blog.last_seq:
            return  # no local readers, or a duplicate
        if seq > blog.last_seq + 1:
            await self._refill(blog)
            if seq <= blog.last_seq:
                return
        self._deliver(blog, seq, {"type": "websocket.send", "text": text})

    async def _refill(self, blog: _Followed) -> None:
        """Deliver the events after what this process has seen, from the log."""
        events = await _events_after(blog.id, blog.last_seq)
        if events:
            logger.warning("live hub: refilled %d missed events of blog %s", len(events), blog.id)
        for event in events:
            if event.seq > blog.last_seq:
                self._deliver(blog, event.seq, frame(event_message(event)))

    def _deliver(self, blog: _Followed, seq: int, message: Message) -> None:
        blog.last_seq = seq
        blog.recent.append((seq, message))
        for reader in tuple(blog.readers):
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
        if not self._blogs:
            return
        latest = await _latest_seqs(list(self._blogs))
        layer = get_channel_layer()
        for blog in list(self._blogs.values()):
            if self._channel is None:
                return
            await layer.group_add(blog_group_name(blog.id), self._channel)
            if latest.get(blog.id, 0) > blog.last_seq:
                await self._refill(blog)
            beat = frame({"kind": "heartbeat", "seq": blog.last_seq})
            for reader in tuple(blog.readers):
                if reader.pending is None:
                    _send_soon(reader, beat)


def _send_soon(reader: Reader, message: Message) -> None:
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
def _get_blog(slug: str) -> LiveBlog | None:
    return LiveBlog.objects.filter(slug=slug).only("id", "slug", "last_seq").first()


@database_sync_to_async
def _catch_up_from_log(blog_id: int, after: int) -> list[tuple[int, Message]] | None:
    """Catch-up from the event log: the blog's latest seq, then the events, or None."""
    blog = LiveBlog.objects.only("id", "last_seq").get(pk=blog_id)
    limit = getattr(settings, "LIVE_CATCH_UP_LIMIT", 500)
    events = selectors.list_events_after(blog, after=after, limit=limit, last_seq=blog.last_seq)
    if events is None:
        return None
    return [(event.seq, frame(event_message(event))) for event in events]


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
