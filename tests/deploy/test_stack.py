"""The production stack as processes (issue 10): two uvicorn processes (deploy/serve.sh,
production settings) behind Debian's nginx (deploy/nginx/render.sh, the compose template),
their own Redis, and readers with live.js's logic connected through nginx.

One stack; faults in turn while posts, edits and deletes are filed through the API; after
each, every reader has every seq exactly once and in order, no reader was told to reload,
and every write made during the fault stands.
"""

import json
import signal
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from deploy.readers import Reader, ReaderPool
from deploy.stack import Stack, established
from liveblog.live import reader_counts
from liveblog.models import Contributor, LiveBlog, Post
from liveblog.permissions import EDITOR_GROUP
from tests.conftest import _staff_user
from tests.deploy.conftest import test_database_url

pytestmark = pytest.mark.deploy

READERS = 16
HEARTBEAT = 1.0
# Timeouts scaled to the one-second heartbeat (production: 25 s heartbeat, render.sh
# defaults); the template is the same.
NGINX_ENV = {
    "NGINX_CONNECT_TIMEOUT": "2s",
    "NGINX_READ_TIMEOUT": "3s",
    "NGINX_WS_READ_TIMEOUT": "3s",
    # Long enough that the frozen-backend step's writes all fall inside the window in which
    # nginx skips the backend it found frozen, even on a loaded CI machine: after it, nginx
    # tries the backend again with one request, and a POST it sends there waits for the
    # read timeout (a 504; nginx never resends a POST elsewhere, as it may have been applied).
    "NGINX_FAIL_TIMEOUT": "15s",
}
CATCH_UP_SECONDS = 30


@dataclass
class Scenario:
    stack: Stack
    pool: ReaderPool
    slug: str
    token: str
    blocker: object
    # post id -> version, for the posts still there
    posts: dict[int, int] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)

    # Writes through nginx, as a newsroom tool would file them --------------------------

    def api(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        assert self.stack.nginx is not None
        request = urllib.request.Request(
            f"{self.stack.nginx.url}/api/v1/blogs/{self.slug}/{path}",
            data=json.dumps(body or {}).encode(),
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as exc:
            return exc.code, {}

    def file_writes(self, n: int) -> list[int]:
        """n writes: publishes, edits and deletes in turn. Returns their statuses."""
        statuses = []
        for i in range(n):
            if i % 3 == 1 and self.posts:
                post_id, version = next(iter(self.posts.items()))
                status, body = self.api(
                    f"posts/{post_id}/update/", {"version": version, "headline": f"Edit {i}"}
                )
                if status == 200:
                    self.posts[post_id] = body["version"]
            elif i % 3 == 2 and len(self.posts) > 1:
                post_id = next(iter(self.posts))
                status, _ = self.api(f"posts/{post_id}/delete/")
                if status == 204:
                    del self.posts[post_id]
                    self.deleted.add(post_id)
            else:
                status, body = self.api(
                    "posts/create/",
                    {"headline": f"Update {i}", "body": "<p>Counting.</p>", "status": "published"},
                )
                if status == 201:
                    self.posts[body["id"]] = body["version"]
            statuses.append(status)
        return statuses

    # Checks -----------------------------------------------------------------------------

    def connects(self) -> int:
        """Connections made so far by all readers (call on the readers' loop)."""
        return sum(r.connects for r in self.pool.readers)

    def check(self, step: str) -> None:
        """After `step`: every reader current with every seq once, every write standing."""
        latest = self.wait_until_current()
        assert self.reader_problems(latest) == [], f"after {step}"
        assert self.writes_stand() == [], f"after {step}"

    def latest_seq(self) -> int:
        with self.blocker.unblock():
            return LiveBlog.objects.get(slug=self.slug).last_seq

    def wait_until_current(self) -> int:
        latest = self.latest_seq()
        self.pool.wait(lambda: self.pool.all_at(latest), timeout=CATCH_UP_SECONDS)
        return latest

    def reader_problems(self, latest: int) -> list[str]:
        def collect() -> list[str]:
            problems = []
            for n, r in enumerate(self.pool.readers):
                if r.applied != list(range(1, latest + 1)):
                    missing = sorted(set(range(1, latest + 1)) - set(r.applied))
                    problems.append(f"reader {n}: missing {missing}, applied {r.applied}")
                if r.duplicates or r.reloads:
                    problems.append(f"reader {n}: {r.duplicates} dups, {r.reloads} reloads")
            return problems

        return self.pool.call(collect)  # type: ignore[return-value]

    def writes_stand(self) -> list[str]:
        """Every acknowledged write is in the database: publishes and edits at the version
        the API answered, deletes deleted."""
        problems = []
        with self.blocker.unblock():
            for post_id, version in self.posts.items():
                post = Post.objects.filter(pk=post_id).first()
                if post is None or post.deleted_at is not None or post.version != version:
                    problems.append(f"post {post_id} should be live at version {version}")
            for post_id in self.deleted:
                if Post.objects.get(pk=post_id).deleted_at is None:
                    problems.append(f"post {post_id} should be deleted")
        return problems


@pytest.fixture
def scenario(tmp_path_factory, prod_static: Path, transactional_db, django_db_blocker):
    blog = LiveBlog.objects.create(title="Election night", slug="election-night")
    editor = _staff_user("stack-editor", EDITOR_GROUP)
    Contributor.objects.create(name="Night Desk", role="Politics", user=editor)
    token = Token.objects.create(user=editor).key
    stack = Stack.create(
        tmp_path_factory.mktemp("stack"),
        database_url=test_database_url(),
        static_root=prod_static,
        settings="deploy.stack_settings",
        app_env={
            "STACK_HEARTBEAT_SECONDS": str(HEARTBEAT),
            "LIVE_READER_COUNT_SECONDS": "1",
            "API_WRITE_RATE": "100000/min",
            "SECURE_SSL_REDIRECT": "false",
        },
        nginx_env=NGINX_ENV,
    )
    pool = None
    try:
        stack.start()
        assert stack.nginx is not None
        ws_url = stack.nginx.url.replace("http", "ws", 1) + f"/ws/live/{blog.slug}/"
        readers = [
            Reader(
                ws_url,
                origin=stack.nginx.url,
                # Longer than nginx's upstream timeouts, so that nginx, not the reader,
                # gives up on a frozen backend (and marks it failed).
                handshake_timeout=6.0,
                # live.js: two missed heartbeats mean the connection is dead.
                silence_timeout=2.5 * HEARTBEAT,
            )
            for _ in range(READERS)
        ]
        pool = ReaderPool(readers).start()
        assert pool.wait(pool.all_connected, timeout=30), "readers did not connect"
        yield Scenario(stack, pool, blog.slug, token, django_db_blocker)
    finally:
        if pool is not None:
            pool.close()
        stack.close()


ACKNOWLEDGED = {200, 201, 204}


@pytest.mark.django_db(transaction=True)
def test_every_reader_gets_every_seq_once_through_redis_restart_backend_kill_and_freeze(
    scenario,
):
    """One stack, faults in turn (each step says which one failed)."""
    stack = scenario.stack
    # Readers connect through nginx to both backends.
    counts = [established(b.port) for b in stack.backends]
    assert all(count > 0 for count in counts), f"readers per backend: {counts}"

    # The admin's reader count: each process reports its own readers to the shared Redis,
    # and the board adds up both processes.
    assert stack.redis is not None
    blog_id = LiveBlog.objects.get(slug=scenario.slug).pk
    board = reader_counts.RedisReadBoard(stack.redis.url)
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while board.totals([blog_id], now=time.time()) != {blog_id: READERS}:
        assert time.monotonic() < deadline, board.totals([blog_id], now=time.time())
        time.sleep(0.2)
    reporting = board.client.hlen(reader_counts._key(blog_id))
    assert reporting == len(stack.backends), f"processes reporting: {reporting}"

    # The happy path: every reader gets every seq once and in order.
    statuses = scenario.file_writes(6)
    assert set(statuses) <= ACKNOWLEDGED, statuses
    scenario.check("no fault")

    # Redis killed and restarted mid-stream.
    assert stack.redis is not None
    stack.redis.kill()
    try:
        during = scenario.file_writes(3)
    finally:
        stack.redis.start()
    after = scenario.file_writes(3)
    assert set(during) <= ACKNOWLEDGED, f"writes while Redis was down: {during}"
    assert set(after) <= ACKNOWLEDGED, f"writes after Redis came back: {after}"
    scenario.check("Redis restart")

    # One backend killed: its readers reconnect through nginx to the other.
    stack.backends[0].kill()
    statuses = scenario.file_writes(6)
    assert set(statuses) <= ACKNOWLEDGED, f"writes with a backend killed: {statuses}"
    scenario.check("backend killed")
    # The container comes back (restart policy); readers spread over both again.
    revived = stack.restart_backend(0)
    rebalance(scenario, revived.port)

    # One backend frozen for longer than nginx's upstream timeouts, then resumed.
    victim = max(stack.backends, key=lambda b: established(b.port))
    before = scenario.pool.call(scenario.connects)
    victim.signal(signal.SIGSTOP)
    try:
        # Its readers hear no heartbeat and reconnect through nginx to the other.
        scenario.pool.wait(
            lambda: scenario.pool.all_connected() and scenario.connects() > before,
            timeout=CATCH_UP_SECONDS,
        )
        # Reconnects sent to it timed out in nginx, which now skips it for fail_timeout.
        assert stack.nginx is not None
        assert stack.nginx.wait_for_error("upstream timed out", f":{victim.port}/", timeout=10)
        statuses = scenario.file_writes(6)
        assert set(statuses) <= ACKNOWLEDGED, f"writes with a backend frozen: {statuses}"
        scenario.check("backend frozen")
    finally:
        victim.signal(signal.SIGCONT)
    after = scenario.file_writes(3)
    assert set(after) <= ACKNOWLEDGED, f"writes after the backend resumed: {after}"
    scenario.check("backend resumed")


def rebalance(scenario: Scenario, port: int) -> None:
    """Readers reload their pages (churn) until the given backend holds some of them."""
    readers = scenario.pool.readers
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while established(port) < len(readers) // 4 and time.monotonic() < deadline:
        scenario.pool.churn(readers[: len(readers) // 2])
        scenario.pool.wait(scenario.pool.all_connected, timeout=10)
