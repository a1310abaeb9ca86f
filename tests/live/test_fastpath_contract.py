"""What liveblog.live.fastpath relies on, checked against the installed servers, Channels and
CPython (issue 12). If an upgrade breaks one of these, change fastpath, then the pin."""

import gc
import json
import os
import socket
import sys
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from deploy.processes import free_port, running, wait_for_port
from liveblog.live.fastpath import Collector

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def serve(command: list[str], log: Path) -> Iterator[str]:
    port = free_port()
    cmd = [*command[:1], *[c.replace("PORT", str(port)) for c in command[1:]]]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with running(cmd, env=env, cwd=REPO, log_path=log) as process:
        wait_for_port(port, process)
        yield f"ws://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def uvicorn_url(tmp_path_factory) -> Iterator[str]:
    # The production server and WebSocket implementation (Dockerfile, bench).
    command = [
        str(BIN / "uvicorn"),
        "--host",
        "127.0.0.1",
        "--port",
        "PORT",
        "--ws",
        "websockets-sansio",
        "--log-level",
        "warning",
        "tests.live.contract_app:app",
    ]
    log = tmp_path_factory.mktemp("uvicorn") / "server.log"
    yield from serve(command, log)


@pytest.fixture(scope="module")
def uvicorn_log(uvicorn_url, tmp_path_factory) -> Path:
    return next(tmp_path_factory.getbasetemp().glob("uvicorn*/server.log"))


@pytest.fixture(scope="module")
def daphne_url(tmp_path_factory) -> Iterator[str]:
    command = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", "PORT", "tests.live.contract_app:app"]
    yield from serve(command, tmp_path_factory.mktemp("daphne") / "server.log")


def messages(url: str, path: str) -> list[dict]:
    with connect(url + path, max_size=None, open_timeout=10) as socket:
        received = []
        while True:
            try:
                received.append(json.loads(socket.recv(timeout=10)))
            except Exception:  # closed by the server
                return received


def test_uvicorn_finishes_a_send_to_a_writable_socket_without_suspending(uvicorn_url):
    assert messages(uvicorn_url, "/inline")[-1] == {"inline": True}


def test_daphne_finishes_a_send_without_suspending(daphne_url):
    assert messages(daphne_url, "/inline")[-1] == {"inline": True}


def raw_frames(sock: socket.socket) -> Iterator[bytes]:
    """Unmasked server frames' payloads, read only when asked for (the handshake first)."""
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        buffer += sock.recv(65536)
    buffer = buffer.split(b"\r\n\r\n", 1)[1]

    def need(n: int) -> None:
        nonlocal buffer
        while len(buffer) < n:
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise EOFError
            buffer += chunk

    while True:
        need(2)
        length, head = buffer[1] & 0x7F, 2
        if length == 126:
            need(4)
            length, head = int.from_bytes(buffer[2:4], "big"), 4
        elif length == 127:
            need(10)
            length, head = int.from_bytes(buffer[2:10], "big"), 10
        need(head + length)
        opcode, payload = buffer[0] & 0x0F, buffer[head : head + length]
        buffer = buffer[head + length :]
        if opcode == 8:
            return
        yield payload


def test_uvicorn_suspends_a_send_to_a_full_socket_and_the_rest_finishes_it_in_order(
    uvicorn_url, uvicorn_log
):
    port = int(uvicorn_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.sendall(
            b"GET /flood HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n"
        )
        # Read nothing until the server says a send had to wait.
        deadline = time.monotonic() + 30
        while "SUSPENDED" not in uvicorn_log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        received = [json.loads(payload) for payload in raw_frames(sock)]
    done = received[-1]
    assert done["suspended"] is True
    assert [message["n"] for message in received[:-1]] == list(range(done["done"]))


def test_channels_origin_validator_hands_our_app_the_servers_scope_and_send():
    import asyncio

    from channels.routing import ProtocolTypeRouter
    from channels.security.websocket import AllowedHostsOriginValidator

    seen = {}

    async def inner(scope, receive, send):
        seen.update(scope=scope, send=send)

    app = ProtocolTypeRouter({"websocket": AllowedHostsOriginValidator(inner)})
    scope = {"type": "websocket", "path": "/", "headers": [(b"origin", b"http://127.0.0.1")]}

    async def send(message):
        pass

    asyncio.run(app(scope, None, send))
    assert seen["scope"] is scope
    assert seen["send"] is send


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_frozen_garbage_is_not_collected_until_unfrozen():
    # What the Collector exists for: gc.freeze() pins cycles that die later.
    gc.collect()
    cycle = Cycle()
    alive = weakref.ref(cycle)
    gc.freeze()
    try:
        del cycle
        gc.collect()
        assert alive() is not None
    finally:
        gc.unfreeze()
    gc.collect()
    assert alive() is None


def test_the_collector_collects_what_readers_left_behind_once_enough_have_left():
    collector = Collector(freeze_every=1, collect_after=2)
    cycle = Cycle()
    alive = weakref.ref(cycle)
    collector.joined()  # freezes
    del cycle
    collector.left()
    assert not collector.collect_if_due(readers=10)
    assert alive() is not None
    collector.left()
    assert collector.collect_if_due(readers=10)
    assert alive() is None
    gc.unfreeze()
