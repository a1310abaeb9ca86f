"""The reader's WebSocket: join the blog through the process's hub, catch up, follow.

Readers are read-only. Live events never touch the database; a connection reads it only
for a blog this process does not follow yet, or to catch up further back than the hub
remembers (one query for the events).
"""

from urllib.parse import parse_qs

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from config import observability

from .hub import RELOAD, UnknownBlog, get_hub

CLOSE_UNKNOWN_BLOG = 4404
CLOSE_READ_ONLY = 4400


class LiveConsumer(AsyncWebsocketConsumer):
    # No channel per reader: events come from the process's hub, which holds the one
    # channel-layer subscription per blog (see liveblog.hub).
    channel_layer_alias = None
    blog_id: int | None = None
    # Messages that arrived from the hub while catch-up was being sent; None once live.
    pending: list | None = None

    async def __call__(self, scope, receive, send) -> None:
        # A reader has one source of messages, the socket (no channel layer): read it in
        # this coroutine instead of through await_many_dispatch, which keeps an extra task
        # and waiter alive per connection (~1.5 KB each, 15 MB at 10,000 readers).
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def connect(self) -> None:
        observability.websocket_connected()
        slug = self.scope["url_route"]["kwargs"]["slug"]
        after = _parse_after(self.scope.get("query_string", b""))
        try:
            self.blog_id, catch_up = await get_hub().join(slug, self, after=after)
        except UnknownBlog:
            await self.accept()
            await self.close(code=CLOSE_UNKNOWN_BLOG)
            return
        # Accept only now: a reader whose handshake completed is really following.
        await self.accept()
        if catch_up is None:
            self.pending = None
            await self.base_send(RELOAD)
            await self.close()
            return
        sent = after or 0
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
        observability.websocket_disconnected(code)
        if self.blog_id is not None:
            await get_hub().leave(self.blog_id, self)
            self.blog_id = None


def _parse_after(query_string: bytes) -> int | None:
    values = parse_qs(query_string.decode("latin-1")).get("after")
    if not values:
        return None
    try:
        return max(0, int(values[0]))
    except ValueError:
        return None
