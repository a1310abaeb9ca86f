"""The reader's WebSocket: connect, catch up from the event log, then follow the hub.

Readers are read-only. Per connection the database is read twice (the blog, then the
events after the reader's last seq, in one query); live events never touch it.
"""

import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from . import selectors
from .hub import frame, get_hub
from .models import LiveBlog

logger = logging.getLogger(__name__)

CLOSE_UNKNOWN_BLOG = 4404
CLOSE_READ_ONLY = 4400


class LiveConsumer(AsyncWebsocketConsumer):
    # No channel per reader: events come from the process's hub, which holds the one
    # channel-layer subscription per blog (see liveblog.hub).
    channel_layer_alias = None
    blog_id: int | None = None
    # Frames that arrived from the hub while catch-up was being sent; None once live.
    pending: list | None = None

    async def connect(self) -> None:
        slug = self.scope["url_route"]["kwargs"]["slug"]
        blog = await _get_blog(slug)
        await self.accept()
        if blog is None:
            await self.close(code=CLOSE_UNKNOWN_BLOG)
            return
        after = _parse_after(self.scope.get("query_string", b""), default=blog.last_seq)

        # Subscribe first, buffering, so nothing published during catch-up is missed.
        self.pending = []
        self.blog_id = blog.id
        hub = get_hub()
        await hub.subscribe(blog.id, self, last_seq=blog.last_seq)

        catch_up = await _catch_up(blog, after)
        if catch_up is None:
            await self.base_send(frame({"kind": "reload"}))
            self.pending = None
            await self.close()
            return
        sent = after
        for seq, message in catch_up:
            await self.base_send(message)
            sent = seq
        # Drain what the hub buffered; sends may yield, so take the list until it is empty.
        while self.pending:
            buffered, self.pending = self.pending, []
            for seq, message in buffered:
                if seq > sent:
                    await self.base_send(message)
                    sent = seq
        self.pending = None

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        # The live page never sends; anything inbound is misuse. No queue grows for it.
        await self.close(code=CLOSE_READ_ONLY)

    async def disconnect(self, code: int) -> None:
        if self.blog_id is not None:
            await get_hub().unsubscribe(self.blog_id, self)
            self.blog_id = None


def _parse_after(query_string: bytes, *, default: int) -> int:
    values = parse_qs(query_string.decode("latin-1")).get("after")
    if not values:
        return default
    try:
        return max(0, int(values[0]))
    except ValueError:
        return default


@database_sync_to_async
def _get_blog(slug: str) -> LiveBlog | None:
    return LiveBlog.objects.filter(slug=slug).only("id", "last_seq").first()


@database_sync_to_async
def _catch_up(blog: LiveBlog, after: int) -> list[tuple[int, dict]] | None:
    """Frames for the events after `after`, or None if the reader must reload."""
    limit = getattr(settings, "LIVE_CATCH_UP_LIMIT", 500)
    events = selectors.list_events_after(blog, after=after, limit=limit, last_seq=blog.last_seq)
    if events is None:
        return None
    from .events import event_message

    return [(event.seq, frame(event_message(event))) for event in events]
