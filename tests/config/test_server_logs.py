"""Issue 10: under Daphne (make run's flags) and uvicorn (the image's flags) alike, the log
is one JSON object per line, each HTTP request has exactly one access line (ours), and
WebSocket connections write no line of their own."""

import asyncio
import contextlib
import json
import os
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from django.db import connection

from deploy.processes import free_port, running, wait_for_port

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[2]

SERVERS = {
    # As `make run` starts it.
    "daphne": ["-m", "daphne", "--websocket-max-message-size", "4096", "--access-log", "/dev/null"],
    # As the image starts it, less --no-access-log: the logging settings alone silence it.
    "uvicorn": ["-m", "uvicorn", "--ws", "websockets-sansio", "--ws-max-size", "4096"],
}


@contextlib.contextmanager
def serving(server: str, log_path: Path) -> Iterator[int]:
    """`server` on the test database and a free port (yielded), its output in `log_path`;
    stopped on leaving the block, so the log is complete afterwards."""
    port = free_port()
    bind = (
        ["-b", "127.0.0.1", "-p", str(port)]
        if server == "daphne"
        else ["--host", "127.0.0.1", "--port", str(port)]
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.e2e.server_settings",
        "E2E_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "LOG_FORMAT": "json",
        "LOG_WEBSOCKET_SUMMARY_SECONDS": "0",
    }
    command = [sys.executable, *SERVERS[server], *bind, "config.asgi:application"]
    with running(command, env=env, cwd=REPO, log_path=log_path) as process:
        wait_for_port(port, process)
        yield port


def get(url: str, request_id: str) -> str:
    request = urllib.request.Request(url, headers={"X-Request-ID": request_id})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers["X-Request-ID"]
    except urllib.error.HTTPError as error:
        return error.headers["X-Request-ID"]


async def open_and_close_readers(url: str, n: int) -> None:
    for _ in range(n):
        # The handshake completes once the consumer has joined the hub and accepted.
        async with websockets.connect(url, origin="http://127.0.0.1", open_timeout=5):
            pass


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_the_server_log_is_json_lines_with_one_access_line_per_request(server, blog, tmp_path):
    log_path = tmp_path / "server.log"
    with serving(server, log_path) as port:
        base = f"http://127.0.0.1:{port}"
        assert get(f"{base}/live/{blog.slug}/", "page-request-0001") == "page-request-0001"
        assert get(f"{base}/no-such-page/", "missing-request-0002") == "missing-request-0002"

    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    access = [e for e in entries if e["logger"] == "liveblog.access"]
    assert [(e["request_id"], e["status"]) for e in access] == [
        ("page-request-0001", 200),
        ("missing-request-0002", 404),
    ]
    assert not [e for e in entries if "access" in e["logger"] and e["logger"] != "liveblog.access"]


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_websocket_connections_write_no_line_of_their_own(server, blog, tmp_path):
    log_path = tmp_path / "server.log"
    with serving(server, log_path) as port:
        url = f"ws://127.0.0.1:{port}/ws/live/{blog.slug}/?after=0"
        asyncio.run(open_and_close_readers(url, 3))

    text = log_path.read_text()
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert not [e for e in entries if "WebSocket" in e["message"] or "connection" in e["message"]]
    assert "WSCONNECT" not in text
