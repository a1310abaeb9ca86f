"""The reader's WebSocket: join the blog through the process's hub, catch up, follow.

A plain ASGI application (the protocol is four messages: connect, accept or close,
receive, disconnect), so nothing here depends on how Channels' consumers work inside.
Readers are read-only. Live events never touch the database; a connection reads it only
to catch up further back than the hub remembers (one query for the events). Starting to
follow a blog is the hub's, once for all the readers arriving meanwhile.
"""

import logging
import re
from typing import Any
from urllib.parse import parse_qs

from config import observability
from liveblog.live.hub import RELOAD, Reader, UnknownBlog, get_hub

logger = logging.getLogger(__name__)

LIVE_PATH = re.compile(r"^/ws/live/(?P<slug>[-a-zA-Z0-9_]+)/$")

CLOSE_UNKNOWN_BLOG = 4404
CLOSE_READ_ONLY = 4400
# Too many connections from this client address: try again later, slowly.
CLOSE_TOO_MANY = 4429
# The database could not be read to join the blog: try again shortly.
CLOSE_TRY_AGAIN = 1013


async def live_reader(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """ASGI application for `/ws/live/<slug>/?after=<seq>`."""
    match = LIVE_PATH.match(scope["path"])
    if match is None:
        await send({"type": "websocket.close"})
        return
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    observability.websocket_connected()
    client = scope.get("client")
    reader = Reader(send, address=client[0] if client else None)
    hub = get_hub()
    try:
        if await _connect(hub, reader, match["slug"], scope.get("query_string", b"")):
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    break
                if message["type"] == "websocket.receive":
                    # The live page never sends; anything inbound is misuse.
                    await send({"type": "websocket.close", "code": CLOSE_READ_ONLY})
    finally:
        observability.websocket_disconnected(message.get("code"))
        await hub.leave(reader)


async def _connect(hub: Any, reader: Reader, slug: str, query_string: bytes) -> bool:
    """Join and catch up; False when the socket was closed instead."""
    send = reader.send
    if not hub.admit(reader):
        await _refuse(send, CLOSE_TOO_MANY)
        return False
    after = _parse_after(query_string)
    try:
        catch_up = await hub.join(slug, reader, after=after)
    except UnknownBlog:
        await _refuse(send, CLOSE_UNKNOWN_BLOG)
        return False
    except Exception:
        # The hub has logged the outage once; the page retries with backoff.
        await _refuse(send, CLOSE_TRY_AGAIN)
        return False
    # Accept only now: a reader whose handshake completed is really following.
    await send({"type": "websocket.accept"})
    if catch_up is None:
        reader.backlog = None
        await send(RELOAD)
        await send({"type": "websocket.close"})
        return False
    await hub.start(reader, catch_up, after=after or 0)
    return reader.closing is None


async def _refuse(send: Any, code: int) -> None:
    # Accept first: a browser sees the close code only on an open socket.
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": code})


def _parse_after(query_string: bytes) -> int | None:
    values = parse_qs(query_string.decode("latin-1")).get("after")
    if not values:
        return None
    try:
        return max(0, int(values[0]))
    except ValueError:
        return None
