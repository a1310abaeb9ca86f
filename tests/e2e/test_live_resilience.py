"""live.js against a backend that stops answering (issue 10): a WebSocket handshake that
never completes is given up after a few seconds, a connection that goes silent for two
heartbeats is treated as dead, and either way the page reconnects with ?after=<seq> and
shows what was filed meanwhile, without reloading.

The page talks to the server through a small TCP proxy of the test's own, which can leave
new WebSocket handshakes unanswered or freeze the connections it already carries."""

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from liveblog import services

pytestmark = pytest.mark.e2e


class FaultyProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.hang_websockets = False
        self.websocket_requests: list[str] = []
        self.hung = 0
        self._frozen: set[int] = set()
        self._open: dict[int, list[socket.socket]] = {}
        self._next_id = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def freeze_existing(self) -> None:
        """Connections open now pass no more bytes either way (and stay open)."""
        with self._lock:
            self._frozen |= set(self._open)

    def close(self) -> None:
        self.listener.close()
        with self._lock:
            for sockets in self._open.values():
                for sock in sockets:
                    sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with self._lock:
            conn_id, self._next_id = self._next_id, self._next_id + 1
            self._open[conn_id] = [client]
        head = client.recv(65536)
        if head.startswith(b"GET /ws/"):
            self.websocket_requests.append(head.split(b"\r\n", 1)[0].decode())
            if self.hang_websockets:
                self.hung += 1
                return  # accepted, never answered
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        self._open[conn_id].append(upstream)
        upstream.sendall(head)
        threading.Thread(target=self._pump, args=(upstream, client, conn_id), daemon=True).start()
        self._pump(client, upstream, conn_id)

    def _pump(self, source: socket.socket, target: socket.socket, conn_id: int) -> None:
        try:
            while data := source.recv(65536):
                if conn_id not in self._frozen:
                    target.sendall(data)
        except OSError:
            pass
        if conn_id not in self._frozen:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxy(live_url) -> Iterator[FaultyProxy]:
    faulty = FaultyProxy(int(live_url.rsplit(":", 1)[1]))
    try:
        yield faulty
    finally:
        faulty.close()


def wait_for(condition, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the proxy never saw it"
        time.sleep(0.05)


def open_page(page: Page, proxy: FaultyProxy, slug: str) -> None:
    page.goto(f"http://127.0.0.1:{proxy.port}/live/{slug}/")
    page.evaluate("window.__notReloaded = true")


def test_a_handshake_that_never_completes_is_given_up_and_retried_with_after(
    proxy, page, blog, editor
):
    proxy.hang_websockets = True
    open_page(page, proxy, blog.slug)
    root = page.locator("[data-live-root]")
    wait_for(lambda: proxy.hung == 1)
    expect(root).to_have_attribute("data-live-state", "connecting")
    services.create_post(blog=blog, by=editor, headline="Filed during the hang", body="<p>x</p>")

    proxy.hang_websockets = False

    expect(root).to_have_attribute("data-live-state", "live", timeout=15_000)
    expect(page.locator("article", has_text="Filed during the hang")).to_be_visible()
    assert len(proxy.websocket_requests) == 2
    assert proxy.websocket_requests[1].startswith(f"GET /ws/live/{blog.slug}/?after=0 ")
    assert page.evaluate("window.__notReloaded === true")


def test_a_connection_silent_for_two_heartbeats_is_replaced_and_catches_up(
    proxy, page, blog, editor
):
    first = services.create_post(blog=blog, by=editor, headline="Before the freeze")
    open_page(page, proxy, blog.slug)
    root = page.locator("[data-live-root]")
    expect(root).to_have_attribute("data-live-state", "live")
    expect(page.locator(f"#post-{first.pk}")).to_be_visible()

    proxy.freeze_existing()  # the backend goes quiet: no heartbeats, no events
    services.create_post(blog=blog, by=editor, headline="Filed while frozen", body="<p>x</p>")

    # The e2e server beats every 2 s: the page gives up after two silent beats.
    expect(page.locator("article", has_text="Filed while frozen")).to_be_visible(timeout=20_000)
    expect(root).to_have_attribute("data-live-state", "live")
    assert len(proxy.websocket_requests) == 2
    assert proxy.websocket_requests[1].startswith(f"GET /ws/live/{blog.slug}/?after=1 ")
    assert page.evaluate("window.__notReloaded === true")
