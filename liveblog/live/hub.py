"""Per-process fan-out of live events to the WebSocket readers connected to this process.

One channel-layer channel per process joins the group of every blog that has local
readers, so a publish costs one layer message per server process, not one per reader.
Each event arrives here once, already serialised; the same ASGI message is then handed
to every local reader of that blog.

Each reader's messages go out in order: a send that has to wait (a slow reader) holds
the ones after it in that reader's backlog, and a reader whose backlog passes
LIVE_READER_BACKLOG is closed (CLOSE_TOO_SLOW) and catches up when it reconnects.

The hub also remembers the latest events of each followed blog, so a reader who joins
or reconnects while the blog is followed here catches up from memory, without a query.
Starting to follow a blog costs two queries however many readers arrive meanwhile (they
wait for the first one's follow): the blog row, and after subscribing, its latest
RECENT_EVENTS events, which fill the memory and deliver anything published between the
two. Only a reader further behind than memory reads the event log (one query). Memory follows
the log's rule (liveblog.live.events): a later event of a post replaces the content of its
earlier ones.

It heals: a heartbeat every LIVE_HEARTBEAT_SECONDS reads the followed blogs' latest seq
(one query per process, not per reader), refills any gap from the event log (a lost layer
message, Redis away), checks that its subscription still works (a probe sent to itself)
and tells every reader the latest seq so their own gaps heal by catch-up. With Redis or
the database away it logs one warning, keeps readers current from whichever is left, and
resubscribes with backoff until the layer answers again.

Every LIVE_READER_COUNT_SECONDS it reports its readers per blog (liveblog.live.reader_counts):
a periodic task that reads the blogs' reader sets' sizes, nothing per connection or message.
"""

import asyncio
import json
import logging
import weakref
from collections import deque
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from channels.layers import BaseChannelLayer, get_channel_layer
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from liveblog import selectors
from liveblog.live.events import blog_group_name, catch_up_payloads, compacted_payload
from liveblog.live.fastpath import Collector, send_now
from liveblog.live.reader_counts import Census
from liveblog.models import LiveBlog, LiveEvent

logger = logging.getLogger(__name__)
T = TypeVar("T")

# How many recent events per blog a process keeps for catch-up from memory.
RECENT_EVENTS = 256
# A reader whose socket is this many messages behind is closed (it catches up on return).
CLOSE_TOO_SLOW = 4408
# Seconds a channel-layer call may take before the layer counts as away.
LAYER_TIMEOUT = 2.0

Message = dict[str, Any]
Entry = tuple[int | None, Message]


def frame(payload: dict[str, Any]) -> Message:
    """The ASGI message for one payload. Built once, handed to every reader."""
    return {"type": "websocket.send", "text": json.dumps(payload, separators=(",", ":"))}


RELOAD = frame({"kind": "reload"})


class UnknownBlog(LookupError):
    pass


class Reader:
    """One connected socket, as the hub sees it.

    `backlog` is None while the socket is idle; while a send is in flight (or catch-up is
    being sent) it holds, in order, what must follow. `closing` is the close code the hub
    decided on for a reader that fell too far behind.
    """

    __slots__ = ("address", "backlog", "blog_id", "closing", "send")

    def __init__(self, send: Any, address: str | None = None) -> None:
        self.send = send
        self.address = address
        self.backlog: deque[Entry] | None = None
        self.blog_id: int | None = None
        self.closing: int | None = None


@dataclass(eq=False)
class _Followed:
    """A blog with readers in this process."""

    id: int
    slug: str
    last_seq: int
    readers: set[Reader] = field(default_factory=set)
    # (seq, post id, kind, message), oldest first.
    recent: deque[tuple[int, int | None, str, Message]] = field(
        default_factory=lambda: deque(maxlen=RECENT_EVENTS)
    )

    def recent_after(self, after: int) -> list[Entry] | None:
        """The remembered events after `after`, or None when the log must answer: memory
        does not reach back that far, or the reader is ahead of what this process saw."""
        if after == self.last_seq:
            return []
        if after > self.last_seq:
            return None
        if not self.recent or self.recent[0][0] > after + 1:
            return None
        return [(seq, message) for seq, _post, _kind, message in self.recent if seq > after]

    def remember(self, seq: int, post_id: int | None, kind: str, message: Message) -> None:
        """Keep the event, and give the post's earlier events its content (or none, once
        the post is gone), as the log does."""
        if post_id is not None:
            html: str | None = None
            for index, (old_seq, old_post, old_kind, _old) in enumerate(self.recent):
                if old_post != post_id:
                    continue
                if html is None:
                    html = json.loads(message["text"]).get("html", "")
                payload = compacted_payload(
                    old_seq, old_kind, post_id, current_kind=kind, html=html
                )
                self.recent[index] = (old_seq, old_post, old_kind, frame(payload))
        self.recent.append((seq, post_id, kind, message))


class _Outage:
    """One warning when a dependency goes away, one when it is back; quiet in between."""

    def __init__(self, what: str, meanwhile: str) -> None:
        self.what = what
        self.meanwhile = meanwhile
        self.down = False

    def failed(self, exc: BaseException) -> None:
        if self.down:
            logger.debug("live hub: %s still unreachable: %r", self.what, exc)
            return
        self.down = True
        logger.warning(
            "live hub: %s unreachable (%s: %s); %s",
            self.what,
            type(exc).__name__,
            exc,
            self.meanwhile,
        )

    def ok(self) -> None:
        if self.down:
            self.down = False
            logger.warning("live hub: %s is back", self.what)


class _RedisLogs(logging.Filter):
    """channels_redis's own receive task logs a traceback a second while Redis is away.
    The first such record tells the hubs of this loop that the layer is gone (they warn
    once and resubscribe); while a hub says it is down, the rest are dropped. Installed
    once per process on channels_redis's loggers."""

    def __init__(self) -> None:
        super().__init__()
        self.hubs: weakref.WeakSet[Hub] = weakref.WeakSet()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return True
        hubs = [hub for hub in self.hubs if _hubs.get(loop) is hub]
        if not hubs:
            return True
        if any(hub.layer_outage.down for hub in hubs):
            return False
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None or not _is_connection_error(exc):
            return True
        for hub in hubs:
            hub._layer_lost(exc)
        return False


def _is_connection_error(exc: BaseException) -> bool:
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover (channels_redis depends on redis)
        return isinstance(exc, OSError | TimeoutError)
    return isinstance(exc, OSError | TimeoutError | RedisConnectionError | RedisTimeoutError)


_redis_logs = _RedisLogs()
for _name in ("channels_redis.pubsub", "channels_redis.core"):
    logging.getLogger(_name).addFilter(_redis_logs)


class Hub:
    def __init__(self) -> None:
        self._blogs: dict[int, _Followed] = {}
        self._slugs: dict[str, int] = {}
        # Slug -> the task starting to follow it, while it runs: one blog read per blog.
        self._following: dict[str, asyncio.Task[_Followed]] = {}
        self._channel: str | None = None
        self._receiver: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._resubscriber: asyncio.Task[None] | None = None
        self._census_task: asyncio.Task[None] | None = None
        # Every task the hub starts, referenced until done.
        self._tasks: set[asyncio.Task[Any]] = set()
        self._lock = asyncio.Lock()
        self._by_address: dict[str, int] = {}
        self._cap_reported = False
        self._probes_sent = 0
        self._probes_seen = 0
        self.heartbeat_seconds = float(getattr(settings, "LIVE_HEARTBEAT_SECONDS", 25.0))
        self.backlog_limit = int(getattr(settings, "LIVE_READER_BACKLOG", 64))
        self.max_per_address = int(getattr(settings, "LIVE_MAX_CONNECTIONS_PER_ADDRESS", 0))
        self.census = Census()
        self.census_seconds = float(getattr(settings, "LIVE_READER_COUNT_SECONDS", 5.0))
        self.collector = Collector(
            freeze_every=int(getattr(settings, "LIVE_GC_FREEZE_EVERY", 500)),
            collect_after=int(getattr(settings, "LIVE_GC_COLLECT_AFTER", 256)),
        )
        self.layer_outage = _Outage(
            "channel layer (Redis)",
            "readers are kept current from the database every heartbeat; resubscribing",
        )
        self.database_outage = _Outage(
            "database", "heartbeats and catch-up resume when it answers again"
        )
        _redis_logs.hubs.add(self)

    @property
    def reader_count(self) -> int:
        return sum(len(blog.readers) for blog in self._blogs.values())

    def readers_per_blog(self) -> dict[int, int]:
        return {blog.id: len(blog.readers) for blog in self._blogs.values()}

    # Admission ----------------------------------------------------------------------------

    def admit(self, reader: Reader) -> bool:
        """Count `reader` against its address's cap; False (not counted) when it is full."""
        address = reader.address
        if address is None or self.max_per_address <= 0:
            reader.address = None
            return True
        count = self._by_address.get(address, 0)
        if count >= self.max_per_address:
            reader.address = None
            if not self._cap_reported:
                self._cap_reported = True
                logger.warning(
                    "live hub: %s holds %d live connections, the cap "
                    "(LIVE_MAX_CONNECTIONS_PER_ADDRESS); refusing more with %d. If this is "
                    "your proxy's address, let uvicorn trust it (--forwarded-allow-ips).",
                    address,
                    count,
                    4429,
                )
            return False
        self._by_address[address] = count + 1
        return True

    def release(self, reader: Reader) -> None:
        address, reader.address = reader.address, None
        if address is None:
            return
        count = self._by_address.get(address, 0) - 1
        if count > 0:
            self._by_address[address] = count
        else:
            self._by_address.pop(address, None)

    # Joining and leaving ------------------------------------------------------------------

    async def join(self, slug: str, reader: Reader, *, after: int | None) -> list[Entry] | None:
        """Follow the blog `slug` for `reader`, from seq `after` (default: from now).

        Returns the catch-up messages, or None when the reader is too far behind, or
        ahead of the log, and must reload. From the moment this returns, live events
        queue in `reader.backlog` until `start` has sent the catch-up.
        Raises UnknownBlog, and database errors when the blog is not followed yet.
        """
        reader.backlog = deque()
        following = self._following.get(slug)
        blog = None if following else self._blogs.get(self._slugs.get(slug, -1))
        if blog is None:
            if following is None:
                # The first reader of a blog not followed here starts following it; the
                # readers who arrive meanwhile wait for that, without a query of their own.
                following = self._spawn(self._start_following(slug), name="livehub-follow")
                following.add_done_callback(_retrieve)
                self._following[slug] = following
            blog = await asyncio.shield(following)
        blog.readers.add(reader)
        reader.blog_id = blog.id
        self.collector.joined()
        start = blog.last_seq if after is None else after
        limit = getattr(settings, "LIVE_CATCH_UP_LIMIT", 500)
        remembered = blog.recent_after(start) if blog.last_seq - start <= limit else None
        if remembered is not None:
            return remembered
        return await self._database(_catch_up_from_log(blog.id, start))

    async def start(self, reader: Reader, catch_up: list[Entry], *, after: int) -> None:
        """Send `catch_up`, then what arrived meanwhile, in seq order and once each; from
        then on the hub sends to `reader` itself."""
        sent = after
        try:
            for seq, message in catch_up:
                await reader.send(message)
                sent = seq if seq is not None else sent
            while reader.backlog and reader.closing is None:
                seq, message = reader.backlog.popleft()
                if seq is None or seq > sent:
                    await reader.send(message)
                    sent = seq if seq is not None else sent
        finally:
            reader.backlog = None
        if reader.closing is not None:
            await reader.send({"type": "websocket.close", "code": reader.closing})

    async def leave(self, reader: Reader) -> None:
        blog_id, reader.blog_id = reader.blog_id, None
        self.release(reader)
        if blog_id is None:
            return
        self.collector.left()
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
            if self._channel is not None and not self.layer_outage.down:
                try:
                    await self._layer_call(
                        _channel_layer().group_discard(blog_group_name(blog_id), self._channel)
                    )
                except Exception as exc:
                    self.layer_outage.failed(exc)
            if not self._blogs:
                self._stop()
        if not self._blogs:
            # Nobody reads here now: the cheapest moment for a full collection.
            self.collector.collect_if_due(readers=0, force=True)

    async def _start_following(self, slug: str) -> _Followed:
        """Read the blog, subscribe to it, then read its recent events from the log (one
        query): they answer catch-up from memory, and any event published between the
        blog read and the subscription (which this process never received) is delivered."""
        try:
            row = await self._database(_get_blog(slug))
            if row is None:
                raise UnknownBlog(slug)
            followed = self._blogs.get(row.id)
            blog = await self._follow(row)
            if blog is not followed:
                await self._fill(blog)
            return blog
        finally:
            self._following.pop(slug, None)

    async def _fill(self, blog: _Followed) -> None:
        """Fill `blog.recent` from the log's latest events, keep what arrived live while the
        log was read, and deliver what the log has that this process never received."""
        try:
            events = await self._database(_latest_events(blog.id, RECENT_EVENTS))
        except Exception:
            return  # catch-up reads the log itself; the heartbeat refills gaps
        if not events:
            return
        newest = events[-1].seq
        if newest > blog.last_seq and events[0].seq > blog.last_seq + 1:
            await self._refill(blog)  # missed more than the window holds
            return
        live = [entry for entry in blog.recent if entry[0] > newest]
        blog.recent.clear()
        delivered = blog.last_seq
        missed = []
        for event, payload in zip(events, catch_up_payloads(events), strict=True):
            if event.seq <= delivered:
                blog.recent.append((event.seq, event.post_id, event.kind, frame(payload)))
            else:
                missed.append((event, payload))
        for seq, post_id, kind, message in live:
            blog.remember(seq, post_id, kind, message)
        if missed:
            logger.info(
                "live hub: %d events of blog %s were published while it was being followed",
                len(missed),
                blog.id,
            )
        for event, payload in missed:
            self._deliver(blog, event.seq, event.post_id, event.kind, frame(payload))

    async def _follow(self, row: LiveBlog) -> _Followed:
        async with self._lock:
            blog = self._blogs.get(row.id)
            if blog is not None:
                return blog
            blog = _Followed(id=row.id, slug=row.slug, last_seq=row.last_seq)
            self._blogs[row.id] = blog
            self._slugs[row.slug] = row.id
            if self._heartbeat is None:
                self._heartbeat = self._spawn(self._heartbeat_loop(), name="livehub-heartbeat")
            if self._census_task is None:
                self._census_task = self._spawn(self._census_loop(), name="livehub-census")
            if self.layer_outage.down or self._resubscriber is not None:
                return blog  # the resubscriber adds it when the layer is back
            try:
                channel = self._channel or await self._open_channel()
                await self._layer_call(_channel_layer().group_add(blog_group_name(row.id), channel))
            except Exception as exc:
                self._layer_lost(exc)
            return blog

    def _stop(self) -> None:
        current = asyncio.current_task()
        for task in (self._receiver, self._heartbeat, self._resubscriber, self._census_task):
            if task is not None and task is not current:
                task.cancel()
        self._receiver = self._heartbeat = self._resubscriber = self._census_task = None
        self._channel = None

    def _spawn(self, coro: Coroutine[Any, Any, Any], *, name: str | None = None) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # The channel layer --------------------------------------------------------------------

    async def _layer_call(self, awaitable: Coroutine[Any, Any, Any]) -> Any:
        return await asyncio.wait_for(awaitable, LAYER_TIMEOUT)

    async def _open_channel(self) -> str:
        """A fresh channel and receive loop (the old ones, if any, are dropped first)."""
        layer = _channel_layer()
        if self._receiver is not None:
            self._receiver.cancel()
            self._receiver = None
        self._channel = None
        # The stubs' BaseChannelLayer has no prefix; both layers we run (in-memory, Redis) do.
        new_channel = layer.new_channel(prefix="livehub.")  # type: ignore[call-arg]
        channel: str = await self._layer_call(new_channel)
        self._channel = channel
        self._receiver = self._spawn(self._receive_loop(channel), name="livehub-receive")
        return channel

    def _layer_lost(self, exc: BaseException) -> None:
        self.layer_outage.failed(exc)
        if self._resubscriber is None and self._blogs:
            self._resubscriber = self._spawn(self._resubscribe_loop(), name="livehub-resubscribe")

    async def _resubscribe_loop(self) -> None:
        """Retry a fresh subscription with backoff until the layer answers; then heal."""
        delay = 0.5
        try:
            while self._blogs:
                await asyncio.sleep(delay)
                try:
                    await self._resubscribe()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    self.layer_outage.failed(exc)
                    delay = min(delay * 2, 30.0, max(1.0, self.heartbeat_seconds))
                    continue
                self.layer_outage.ok()
                self._resubscriber = None
                await self.beat()
                return
        finally:
            if self._resubscriber is asyncio.current_task():
                self._resubscriber = None

    async def _resubscribe(self) -> None:
        layer = _channel_layer()
        flush = getattr(layer, "flush", None)
        if flush is not None:
            # Drop the old subscription's state in this process, so nothing is left
            # waiting on a connection that is gone.
            try:
                await self._layer_call(flush())
            except Exception:
                logger.debug("live hub: flushing the layer failed", exc_info=True)
        channel = await self._open_channel()
        for blog_id in list(self._blogs):
            await self._layer_call(layer.group_add(blog_group_name(blog_id), channel))
        self._probes_sent = self._probes_seen = 0

    async def _probe(self) -> None:
        """Check the subscription end to end: the previous probe must have come back, and
        a new one must go out. Either failing counts the layer as away."""
        if self._channel is None or self._resubscriber is not None:
            return
        if self._probes_sent > self._probes_seen:
            self._layer_lost(ConnectionError("the hub's last probe never came back"))
            return
        self._probes_sent += 1
        try:
            await self._layer_call(
                _channel_layer().send(self._channel, {"type": "live.probe", "n": self._probes_sent})
            )
        except Exception as exc:
            self._layer_lost(exc)

    # Receiving ----------------------------------------------------------------------------

    async def _receive_loop(self, channel: str) -> None:
        layer = _channel_layer()
        while True:
            try:
                message = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._layer_lost(exc)
                return
            if message.get("type") == "live.probe":
                self._probes_seen = max(self._probes_seen, int(message.get("n", 0)))
                self.layer_outage.ok()
                continue
            try:
                await self._on_event(
                    message["blog_id"],
                    message["seq"],
                    message["frame"],
                    post_id=message.get("post_id"),
                    kind=message.get("kind", ""),
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live hub: delivering %r failed", message.get("seq"))

    async def _on_event(
        self, blog_id: int, seq: int, text: str, *, post_id: int | None = None, kind: str = ""
    ) -> None:
        blog = self._blogs.get(blog_id)
        if blog is None or seq <= blog.last_seq:
            return  # no local readers, or a duplicate
        if seq > blog.last_seq + 1:
            await self._refill(blog)
            if seq != blog.last_seq + 1:
                return  # refilled up to it, or the gap stays for the heartbeat to heal
        self._deliver(blog, seq, post_id, kind, {"type": "websocket.send", "text": text})

    async def _refill(self, blog: _Followed) -> None:
        """Deliver the events after what this process has seen, from the log."""
        try:
            events = await self._database(_events_after(blog.id, blog.last_seq))
        except Exception:
            return  # _database said so; the next heartbeat tries again
        if events:
            logger.info("live hub: refilled %d missed events of blog %s", len(events), blog.id)
        for event, payload in zip(events, catch_up_payloads(events), strict=True):
            if event.seq > blog.last_seq:
                self._deliver(blog, event.seq, event.post_id, event.kind, frame(payload))

    def _deliver(
        self, blog: _Followed, seq: int, post_id: int | None, kind: str, message: Message
    ) -> None:
        blog.last_seq = seq
        blog.remember(seq, post_id, kind, message)
        for reader in tuple(blog.readers):
            self._push(reader, seq, message)

    def _push(self, reader: Reader, seq: int | None, message: Message) -> None:
        """Send `message` to `reader` after whatever it is still sending, never before."""
        backlog = reader.backlog
        if backlog is not None:
            if seq is None:
                return  # a heartbeat: the messages ahead of it say as much
            if len(backlog) >= self.backlog_limit:
                self._drop_slow(reader)
            else:
                backlog.append((seq, message))
            return
        try:
            rest = send_now(reader.send, message)
        except Exception:
            logger.debug("live hub: send to a closing reader failed", exc_info=True)
            return
        if rest is not None:
            reader.backlog = deque()
            self._spawn(self._finish_sending(reader, rest))

    async def _finish_sending(self, reader: Reader, rest: Any) -> None:
        try:
            await rest
            while reader.backlog and reader.closing is None:
                _seq, message = reader.backlog.popleft()
                await reader.send(message)
            if reader.closing is not None:
                await reader.send({"type": "websocket.close", "code": reader.closing})
        except Exception:
            logger.debug("live hub: send to a closing reader failed", exc_info=True)
        finally:
            reader.backlog = None

    def _drop_slow(self, reader: Reader) -> None:
        """The reader's backlog is full: stop feeding it and close it once its pending send
        is done; it catches up by seq when it reconnects."""
        reader.closing = CLOSE_TOO_SLOW
        blog = self._blogs.get(reader.blog_id or -1)
        if blog is not None:
            blog.readers.discard(reader)
        if reader.backlog is not None:
            reader.backlog.clear()  # whoever sends to it now closes it after that send
        else:
            reader.backlog = deque()
            self._spawn(self._finish_sending(reader, asyncio.sleep(0)))

    # Heartbeat ----------------------------------------------------------------------------

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            try:
                await self.beat()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live hub: heartbeat failed")
            self.collector.collect_if_due(readers=self.reader_count)

    async def _census_loop(self) -> None:
        # Stopped with the hub (no readers left): this process's last report expires by
        # itself (reader_counts.entry_ttl).
        try:
            while True:
                await asyncio.sleep(self.census_seconds)
                await self.census.report(self.readers_per_blog())
        finally:
            await self.census.close()

    async def beat(self) -> None:
        """Heal gaps from the log, check the subscription and tell readers the latest seq."""
        if not self._blogs:
            return
        await self._probe()
        try:
            latest = await self._database(_latest_seqs(list(self._blogs)))
        except Exception:
            latest = {}
        for blog in list(self._blogs.values()):
            if latest.get(blog.id, 0) > blog.last_seq:
                await self._refill(blog)
            beat = frame({"kind": "heartbeat", "seq": blog.last_seq})
            for reader in tuple(blog.readers):
                self._push(reader, None, beat)

    async def _database(self, awaitable: Coroutine[Any, Any, T]) -> T:
        """Run a database read, reporting an outage once and the recovery once."""
        try:
            result = await awaitable
        except Exception as exc:
            self.database_outage.failed(exc)
            raise
        self.database_outage.ok()
        return result


def _channel_layer() -> BaseChannelLayer:
    layer = get_channel_layer()
    if layer is None:  # config.settings always set CHANNEL_LAYERS
        raise ImproperlyConfigured("The live hub needs a channel layer (CHANNEL_LAYERS).")
    return layer


@database_sync_to_async
def _get_blog(slug: str) -> LiveBlog | None:
    return LiveBlog.objects.filter(slug=slug).only("id", "slug", "last_seq").first()


@database_sync_to_async
def _catch_up_from_log(blog_id: int, after: int) -> list[Entry] | None:
    """Catch-up from the event log: the blog's latest seq, then the events, or None."""
    blog = LiveBlog.objects.only("id", "last_seq").get(pk=blog_id)
    limit = getattr(settings, "LIVE_CATCH_UP_LIMIT", 500)
    events = selectors.list_events_after(blog, after=after, limit=limit, last_seq=blog.last_seq)
    if events is None:
        return None
    return [
        (event.seq, frame(payload))
        for event, payload in zip(events, catch_up_payloads(events), strict=True)
    ]


@database_sync_to_async
def _events_after(blog_id: int, after: int) -> list[LiveEvent]:
    return list(LiveEvent.objects.filter(blog_id=blog_id, seq__gt=after).order_by("seq"))


@database_sync_to_async
def _latest_events(blog_id: int, count: int) -> list[LiveEvent]:
    """The blog's latest `count` events, oldest first (one query)."""
    latest = LiveEvent.objects.filter(blog_id=blog_id).order_by("-seq")[:count]
    return list(reversed(list(latest)))


@database_sync_to_async
def _latest_seqs(blog_ids: Iterable[int]) -> dict[int, int]:
    return dict(LiveBlog.objects.filter(id__in=list(blog_ids)).values_list("id", "last_seq"))


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Mark the task's exception as seen: its waiters may all have gone."""
    if not task.cancelled():
        task.exception()


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def get_hub() -> Hub:
    """The hub of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub()
    return hub
