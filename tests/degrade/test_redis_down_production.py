"""Redis down under the production server (issue 10): uvicorn with production settings and
REDIS_URL pointing at a Redis that is not running, then started, then killed. Pages, feeds
and the API answer 200 and writes succeed throughout; the log says once that the cache's
Redis went away and once that it came back."""

import json
import tempfile
import time
from pathlib import Path

import pytest

from tests.degrade.production import SLUG, production_app
from tests.degrade.servers import RedisProcess

READER_URLS = [f"/live/{SLUG}/", f"/api/v1/blogs/{SLUG}/", f"/live/{SLUG}/feed/"]


@pytest.fixture(scope="module")
def redis():
    """Not started: the app starts against a Redis that is not running."""
    server = RedisProcess()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="module")
def app(redis):
    with tempfile.TemporaryDirectory(prefix="degrade-sqlite-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'app.sqlite3'}"
        with production_app(
            database_url=database_url, redis_url=redis.url, REDIS_RETRY_AFTER="0.2"
        ) as app:
            yield app


def redis_lines(app, text: str) -> list[str]:
    return [
        line
        for line in app.log.read_text().splitlines()
        if "liveblog.redis" in line and text in line
    ]


def wait_until(condition, *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.05)


def test_with_redis_not_running_readers_and_writers_are_served(app):
    statuses = [app.get(url)[0] for url in READER_URLS]
    write, _, body = app.api_create("Exit poll: hung parliament")
    page = app.get(READER_URLS[0])[2]

    assert statuses == [200, 200, 200]
    assert write == 201, body
    assert b"Exit poll: hung parliament" in page
    assert len(redis_lines(app, "unreachable")) == 1


def test_redis_started_later_is_used_and_reported_once(app, redis):
    redis.start()

    def back() -> bool:
        app.get(f"/api/v1/blogs/{SLUG}/")
        return bool(redis_lines(app, "reachable again"))

    wait_until(back)
    ready = json.loads(app.get("/readyz")[2])

    assert ready["degraded"] is False
    assert len(redis_lines(app, "reachable again")) == 1


def test_redis_killed_mid_test_keeps_readers_and_writers_served(app, redis):
    if redis.process is None:  # run alone
        redis.start()
    assert app.get(READER_URLS[0])[0] == 200
    warnings_before = len(redis_lines(app, "unreachable"))

    redis.kill()
    statuses = [app.get(url)[0] for url in READER_URLS for _ in range(2)]
    write, _, _ = app.api_create("Recount in Kensington")
    ready_status, _, ready = app.get("/readyz")

    assert statuses == [200] * 6
    assert write == 201
    assert ready_status == 200
    assert json.loads(ready)["degraded"] is True
    assert len(redis_lines(app, "unreachable")) == warnings_before + 1
