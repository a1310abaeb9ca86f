"""A tiny ASGI application that reports what liveblog.live.fastpath.send_now does under a
real server (tests/live/test_fastpath_contract.py runs it under uvicorn and Daphne)."""

import json
import sys

from liveblog.live.fastpath import send_now


def text(payload: dict) -> dict:
    return {"type": "websocket.send", "text": json.dumps(payload)}


async def app(scope, receive, send):
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    if scope["path"] == "/inline":
        rest = send_now(send, text({"n": 0}))
        await send(text({"inline": rest is None}))
    elif scope["path"] == "/flood":
        # Send until a send has to wait (the client reads nothing for now), then finish it
        # and send a few more: the client must see every number once, in order.
        block = "x" * 65536
        n = 0
        rest = None
        while rest is None and n < 5000:
            rest = send_now(send, text({"n": n, "pad": block}))
            n += 1
        print(f"SUSPENDED after {n}", file=sys.stderr, flush=True)
        if rest is not None:
            await rest
        for extra in range(n, n + 5):
            await send(text({"n": extra}))
        await send(text({"done": n + 5, "suspended": rest is not None}))
    await send({"type": "websocket.close"})
    while (await receive())["type"] != "websocket.disconnect":
        pass
