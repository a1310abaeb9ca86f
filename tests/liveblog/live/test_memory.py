"""Memory comes back after connections close (issue 14, item 1): a client opening and
closing WebSockets in a loop against a real server process must not grow it for good.

Before the fix every closed connection left about 21 KB frozen by the hub's periodic
gc.freeze(); these rounds would grow the server by some 20 MB each."""

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from deploy.processes import free_port, running, wait_for_port

REPO = Path(__file__).resolve().parents[3]
ROUNDS = 5
PER_ROUND = 1000


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def uvicorn_server(transactional_db, blog, tmp_path) -> Iterator[tuple[int, int]]:
    """(port, pid) of a production-flagged uvicorn on the test database."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.e2e.server_settings",
        "E2E_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "E2E_HEARTBEAT_SECONDS": "0.3",
        "LIVE_MAX_CONNECTIONS_PER_ADDRESS": "0",
    }
    command = [
        str(Path(sys.executable).parent / "uvicorn"),
        *("--host", "127.0.0.1", "--port", str(port)),
        *("--ws", "websockets-sansio", "--no-access-log", "--log-level", "warning"),
        "config.asgi:application",
    ]
    with running(command, env=env, cwd=REPO, log_path=tmp_path / "server.log") as process:
        wait_for_port(port, process)
        yield port, process.pid


def handshake(port: int, slug: str) -> bytes:
    return (
        f"GET /ws/live/{slug}/?after=0 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: http://127.0.0.1:{port}\r\n\r\n"
    ).encode()


async def open_reader(port: int, slug: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(handshake(port, slug))
    response = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    assert response.startswith(b"HTTP/1.1 101"), response[:80]
    return reader, writer


async def next_heartbeat(reader: asyncio.StreamReader) -> None:
    while b'"heartbeat"' not in await asyncio.wait_for(reader.read(4096), 30):
        pass


async def churn(port: int, pid: int, slug: str) -> list[float]:
    """RSS with PER_ROUND readers open, round after round; one reader stays throughout."""
    stays, stays_writer = await open_reader(port, slug)
    sizes = []
    for _ in range(ROUNDS):
        readers = []
        for _batch in range(PER_ROUND // 100):
            readers += await asyncio.gather(*(open_reader(port, slug) for _ in range(100)))
        sizes.append(rss_mb(pid))
        for _reader, writer in readers:
            writer.close()
        del readers
        # Two heartbeats: the server has seen the closes and had its chance to collect.
        await next_heartbeat(stays)
        await next_heartbeat(stays)
    stays_writer.close()
    return sizes


def test_opening_and_closing_thousands_of_websockets_does_not_grow_the_server(uvicorn_server, blog):
    port, pid = uvicorn_server
    sizes = asyncio.run(churn(port, pid, blog.slug))
    # Round 1 warms the allocator; what matters is that later rounds stay level.
    growth = sizes[-1] - sizes[1]
    assert growth < 8, f"RSS per round (MB): {[round(s, 1) for s in sizes]}"
