"""Record reader-visible changes and push them to readers after commit.

The only module that talks to the channel layer. Services call `post_changed` (a post's
change) or `record_event` (a blog's own, such as its status) inside their transaction;
an event allocates the blog's next seq, renders the post fragment once and arranges the
broadcast for after commit, so a rolled-back change is never pushed.

One event per change: inside `one_event_per_post()` (the admin opens it around a whole
save, inlines included) `post_changed` only marks the post; when the block ends, still in
its transaction, each marked post gets one event, rendered once with its final state and
of the kind its net change calls for (published, deleted, pinned, unpinned or updated).
Outside such a block a service's change is its own unit and records at once.

The log serves what readers may see now. When a post changes again, its earlier events
lose their html in the same transaction: nothing superseded or deleted stays in the log.
Catch-up (`catch_up_payloads`) still sends every seq: an earlier event of a post that is
still visible carries the post's current render, one of a post since deleted or
unpublished is sent as `{"seq": n, "kind": "noop"}`.

A broadcast never fails a write: it has a short timeout, and after a failure a circuit
breaker skips the channel layer for a while (half a second after one failure, doubling to
a few seconds while Redis stays away; readers heal by seq from the next broadcast or the
hub's heartbeat), with one warning when Redis goes away and one when it is back.
"""

import asyncio
import contextvars
import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from liveblog.models import LiveBlog, LiveEvent, Post

logger = logging.getLogger(__name__)


def blog_group_name(blog_id: int) -> str:
    return f"liveblog.{blog_id}"


def render_post_fragment(post: Post) -> str:
    """The post as the reader page shows it; the same partial the page includes."""
    return render_to_string("liveblog/_post.html", {"post": post, "blog": post.blog})


def record_event(
    blog: LiveBlog,
    kind: LiveEvent.Kind,
    *,
    post: Post | None = None,
    data: dict[str, Any] | None = None,
) -> LiveEvent:
    """Append the next event of `blog` and broadcast it once the transaction commits.

    For a blog's own events (its status); a post's change goes through `post_changed`.
    Precondition: called inside `transaction.atomic()`.
    """
    html = ""
    if post is not None and kind != LiveEvent.Kind.POST_DELETED:
        html = render_post_fragment(Post.objects.with_bylines().get(pk=post.pk))
    return _append_event(blog, kind, post=post, html=html, data=data)


def _append_event(
    blog: LiveBlog,
    kind: LiveEvent.Kind,
    *,
    post: Post | None,
    html: str,
    data: dict[str, Any] | None,
) -> LiveEvent:
    # The blog row is locked here, so concurrent writers to the same blog queue up and seq
    # stays gap-free.
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the caller's transaction")
    locked = LiveBlog.objects.select_for_update().only("id", "last_seq").get(pk=blog.pk)
    seq = locked.last_seq + 1
    LiveBlog.objects.filter(pk=blog.pk).update(last_seq=seq)
    blog.last_seq = seq
    if post is not None:
        # Compact: this event supersedes what the post's earlier ones showed.
        LiveEvent.objects.filter(blog_id=blog.pk, post_id=post.pk, seq__lt=seq).exclude(
            html=""
        ).update(html="")
    event = LiveEvent.objects.create(
        blog=blog, seq=seq, kind=kind, post=post, html=html, data=data or {}
    )
    broadcast_on_commit(event)
    return event


@dataclass(frozen=True)
class _Before:
    """What readers saw of a post before the change: decides the event's kind."""

    was_visible: bool
    was_pinned: bool


class _Changes:
    """Posts changed inside one `one_event_per_post()` block, in the order first changed."""

    def __init__(self) -> None:
        self.posts: dict[int, tuple[Post, _Before]] = {}

    def mark(self, post: Post, before: _Before) -> None:
        # The first change's "before" is what readers saw; later ones only add to it.
        self.posts.setdefault(post.pk, (post, before))


_changes: contextvars.ContextVar[_Changes | None] = contextvars.ContextVar(
    "liveblog_post_changes", default=None
)


@contextmanager
def one_event_per_post() -> Iterator[None]:
    """One transaction in which each changed post gets exactly one event, at the end.

    Nested blocks join the outermost. If the block raises, it rolls back and records
    nothing.
    """
    if _changes.get() is not None:
        yield
        return
    changes = _Changes()
    token: contextvars.Token[_Changes | None] | None = _changes.set(changes)
    try:
        with transaction.atomic():
            yield
            _changes.reset(token)  # type: ignore[arg-type]  # set above, not reset yet
            token = None
            for post, before in changes.posts.values():
                _record_post_event(post, before)
    finally:
        if token is not None:
            _changes.reset(token)


def post_changed(post: Post, *, was_visible: bool, was_pinned: bool) -> None:
    """`post` was changed in the caller's transaction; `was_visible` and `was_pinned` are
    what readers saw before. Records its event now, or at the end of the enclosing
    `one_event_per_post()` block."""
    before = _Before(was_visible=was_visible, was_pinned=was_pinned)
    changes = _changes.get()
    if changes is None:
        _record_post_event(post, before)
    else:
        changes.mark(post, before)


def _record_post_event(post: Post, before: _Before) -> None:
    # The post as it is now, with everything its render shows: read once, for the kind
    # of the net change and for the one render.
    current = Post.objects.with_bylines().get(pk=post.pk)
    is_visible = current.is_visible()
    data: dict[str, Any] = {}
    if is_visible and not before.was_visible:
        kind = LiveEvent.Kind.POST_PUBLISHED
    elif before.was_visible and not is_visible:
        _append_event(post.blog, LiveEvent.Kind.POST_DELETED, post=post, html="", data=None)
        return
    elif is_visible and current.is_pinned != before.was_pinned:
        kind = LiveEvent.Kind.POST_PINNED if current.is_pinned else LiveEvent.Kind.POST_UNPINNED
        data = {"pinned": current.is_pinned}
    elif is_visible:
        kind = LiveEvent.Kind.POST_UPDATED
    else:
        return  # readers never saw it and still do not
    html = render_post_fragment(current)
    _append_event(post.blog, kind, post=post, html=html, data=data)


def event_message(event: LiveEvent) -> dict[str, Any]:
    """The wire form of an event, as readers receive it."""
    return {
        "seq": event.seq,
        "kind": event.kind,
        "post_id": event.post_id,
        "html": event.html,
        **({"data": event.data} if event.data else {}),
    }


NOOP = "noop"
# Kinds whose message shows a post: their content is the post's render.
_SHOWS_POST = frozenset(
    {
        LiveEvent.Kind.POST_PUBLISHED,
        LiveEvent.Kind.POST_UPDATED,
        LiveEvent.Kind.POST_PINNED,
        LiveEvent.Kind.POST_UNPINNED,
    }
)


def compacted_payload(
    seq: int, kind: str, post_id: int | None, *, current_kind: str, html: str
) -> dict[str, Any]:
    """The wire form of an event of `post_id` that a later one (`current_kind`, `html`)
    superseded: the same change with the current render, or a no-op once the post is gone."""
    if post_id is None or current_kind == LiveEvent.Kind.POST_DELETED or not html:
        return {"seq": seq, "kind": NOOP}
    if kind not in _SHOWS_POST:
        return {"seq": seq, "kind": kind, "post_id": post_id, "html": ""}
    return {"seq": seq, "kind": kind, "post_id": post_id, "html": html}


def catch_up_payloads(events: Sequence[LiveEvent]) -> list[dict[str, Any]]:
    """The wire form of `events` (a blog's events through its latest seq, in order) for
    catch-up: each post's earlier events carry what its latest one shows."""
    latest: dict[int, LiveEvent] = {}
    for event in events:
        if event.post_id is not None:
            latest[event.post_id] = event
    payloads = []
    for event in events:
        if event.post_id is None:
            if event.kind in _SHOWS_POST:
                # The post row itself was removed: nothing of it may be served.
                payloads.append({"seq": event.seq, "kind": NOOP})
            else:
                payloads.append(event_message(event))
            continue
        last = latest[event.post_id]
        if last is event:
            if event.kind in _SHOWS_POST and not event.html:
                payloads.append({"seq": event.seq, "kind": NOOP})
            else:
                payloads.append(event_message(event))
        else:
            payloads.append(
                compacted_payload(
                    event.seq, event.kind, event.post_id, current_kind=last.kind, html=last.html
                )
            )
    return payloads


def broadcast_on_commit(event: LiveEvent) -> None:
    """Send `event` to every server process once the transaction commits."""
    message = {
        "type": "live.event",
        "blog_id": event.blog_id,
        "seq": event.seq,
        "post_id": event.post_id,
        "kind": event.kind,
        # Serialised once here; each process hands the same text to all its readers.
        "frame": json.dumps(event_message(event), separators=(",", ":")),
    }
    transaction.on_commit(lambda: _broadcast(message), robust=True)


class CircuitBreaker:
    """Skips the channel layer for a while after a failure, so a dead Redis costs one short
    timeout per cooldown, not one per write; one warning when it opens, one when a
    broadcast goes through again.

    The cooldown starts at one broadcast's timeout and doubles with each failure in a row,
    up to LIVE_BROADCAST_RETRY_SECONDS: a single timed-out broadcast (a hiccup) keeps the
    layer skipped for half a second, where readers used to wait the whole retry period for
    every event filed meanwhile; a Redis that stays away is still tried only every few
    seconds."""

    def __init__(self) -> None:
        self._open_until = 0.0
        self._failures = 0  # in a row
        self._lock = threading.Lock()

    @property
    def longest(self) -> float:
        return float(getattr(settings, "LIVE_BROADCAST_RETRY_SECONDS", 5.0))

    def allows(self) -> bool:
        return not self._failures or time.monotonic() >= self._open_until

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            self._failures += 1
            first = self._failures == 1
            cooldown = min(self.longest, _broadcast_timeout() * 2 ** (self._failures - 1))
            self._open_until = time.monotonic() + cooldown
        if first:
            logger.warning(
                "live broadcast: channel layer unreachable (%s: %s); writes go on, readers "
                "catch up from the event log, trying again within %.0f s",
                type(exc).__name__,
                exc,
                self.longest,
            )

    def succeeded(self) -> None:
        with self._lock:
            was_open, self._failures = bool(self._failures), 0
        if was_open:
            logger.warning("live broadcast: channel layer is back")


def _broadcast_timeout() -> float:
    return float(getattr(settings, "LIVE_BROADCAST_TIMEOUT", 0.5))


breaker = CircuitBreaker()


def _broadcast(message: dict[str, Any]) -> None:
    # A failed broadcast must never break the save: readers heal by seq catch-up.
    if not breaker.allows():
        return
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        group = blog_group_name(message["blog_id"])
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            async_to_sync(_group_send)(layer, group, message)
            breaker.succeeded()
        else:
            # Sync code called on an event loop's own thread (a shell inside an async
            # context, a browser-test driver): it cannot block on the loop, so schedule.
            task = loop.create_task(_group_send(layer, group, message))
            _pending.add(task)
            task.add_done_callback(_sent)
    except Exception as exc:
        breaker.failed(exc)


async def _group_send(layer: Any, group: str, message: dict[str, Any]) -> None:
    timeout = _broadcast_timeout()
    try:
        await asyncio.wait_for(layer.group_send(group, message), timeout)
    except TimeoutError as exc:
        raise TimeoutError(f"no answer within {timeout} s") from exc


# Broadcasts scheduled on a running loop, referenced until they are done.
_pending: "set[asyncio.Task[None]]" = set()


def _sent(task: "asyncio.Task[None]") -> None:
    _pending.discard(task)
    if task.cancelled():
        return
    if task.exception() is not None:
        breaker.failed(task.exception())  # type: ignore[arg-type]
    else:
        breaker.succeeded()
