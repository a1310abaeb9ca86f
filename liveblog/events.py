"""Record reader-visible changes and push them to readers after commit.

The only module that talks to the channel layer. Services call `record_event` inside
their transaction; it allocates the blog's next seq, renders the post fragment once and
arranges the broadcast for after commit, so a rolled-back change is never pushed.
"""

import asyncio
import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.template.loader import render_to_string

from .models import LiveBlog, LiveEvent, Post

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

    Precondition: called inside `transaction.atomic()`. The blog row is locked here, so
    concurrent writers to the same blog queue up and seq stays gap-free.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the caller's transaction")
    locked = LiveBlog.objects.select_for_update().only("id", "last_seq").get(pk=blog.pk)
    seq = locked.last_seq + 1
    LiveBlog.objects.filter(pk=blog.pk).update(last_seq=seq)
    blog.last_seq = seq

    html = ""
    if post is not None and kind != LiveEvent.Kind.POST_DELETED:
        fresh = Post.objects.with_bylines().get(pk=post.pk)
        html = render_post_fragment(fresh)
    event = LiveEvent.objects.create(
        blog=blog, seq=seq, kind=kind, post=post, html=html, data=data or {}
    )
    broadcast_on_commit(event)
    return event


def event_message(event: LiveEvent) -> dict[str, Any]:
    """The wire form of an event, as readers receive it."""
    return {
        "seq": event.seq,
        "kind": event.kind,
        "post_id": event.post_id,
        "html": event.html,
        **({"data": event.data} if event.data else {}),
    }


def broadcast_on_commit(event: LiveEvent) -> None:
    """Send `event` to every server process once the transaction commits."""
    message = {
        "type": "live.event",
        "blog_id": event.blog_id,
        "seq": event.seq,
        # Serialised once here; each process hands the same text to all its readers.
        "frame": json.dumps(event_message(event), separators=(",", ":")),
    }
    transaction.on_commit(lambda: _broadcast(message), robust=True)


def _broadcast(message: dict[str, Any]) -> None:
    # A failed broadcast must never break the save: readers heal by seq catch-up.
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
            async_to_sync(layer.group_send)(group, message)
        else:
            # Sync code called on an event loop's own thread (a shell inside an async
            # context, a browser-test driver): it cannot block on the loop, so schedule.
            task = loop.create_task(layer.group_send(group, message))
            task.add_done_callback(_log_failed_send)
    except Exception:
        logger.exception("broadcast of blog %s seq %s failed", message["blog_id"], message["seq"])


def _log_failed_send(task: "asyncio.Task[None]") -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("broadcast failed", exc_info=task.exception())
