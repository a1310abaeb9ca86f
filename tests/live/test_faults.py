"""The push under faults (issue 10): Redis killed and restarted under connected readers,
the database away for a moment. One warning each way, writes never fail, readers catch up
by seq, and the push resumes by itself.

Uses a redis-server of its own on a free port (LIVE_TEST_REDIS_PORT to choose one), which
the test kills and restarts; the fixture stops it whatever happens."""

import asyncio
import json
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError

from deploy.processes import free_port, redis_command, wait_for_port
from liveblog import services
from liveblog.live import hub
from tests.live.test_hub import connect

pytestmark = pytest.mark.django_db(transaction=True)

file_post = database_sync_to_async(services.create_post)


class RedisProcess:
    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            redis_command(self.port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.port, self.process, timeout=10)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def own_redis(settings) -> Iterator[RedisProcess]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: install Debian's redis-server")
    redis = RedisProcess(int(os.environ.get("LIVE_TEST_REDIS_PORT") or free_port()))
    redis.start()
    try:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [redis.url]},
            }
        }
        yield redis
    finally:
        redis.kill()


async def receive(reader) -> dict:
    return json.loads(await reader.receive_from(timeout=5))


async def wait_until(condition, *, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def messages(caplog, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger]


async def test_redis_killed_and_restarted_under_readers_loses_nothing_and_warns_once_each_way(
    own_redis, settings, blog, editor, caplog
):
    settings.LIVE_HEARTBEAT_SECONDS = 3600  # only the test beats, so the push is proven
    settings.LIVE_BROADCAST_RETRY_SECONDS = 0
    caplog.set_level(logging.WARNING)
    reader = connect(blog.slug, after=0)
    assert (await reader.connect())[0]
    await file_post(blog=blog, by=editor, headline="Before")
    assert (await receive(reader))["seq"] == 1

    own_redis.kill()
    await file_post(blog=blog, by=editor, headline="While Redis is away")
    await file_post(blog=blog, by=editor, headline="Still away")
    the_hub = hub.get_hub()
    await the_hub.beat()  # the probe finds the layer gone; the log refills the reader
    await the_hub.beat()
    got = [await receive(reader) for _ in range(4)]
    assert [m.get("seq") for m in got] == [2, 3, 3, 3]
    assert [m["kind"] for m in got[2:]] == ["heartbeat", "heartbeat"]

    own_redis.start()
    await wait_until(lambda: not the_hub.layer_outage.down)
    assert await receive(reader) == {"kind": "heartbeat", "seq": 3}  # the hub healed at once
    await file_post(blog=blog, by=editor, headline="After")
    assert (await receive(reader))["seq"] == 4  # pushed again, no heartbeat needed

    hub_lines = messages(caplog, "liveblog.live.hub")
    assert sum("unreachable" in line for line in hub_lines) == 1
    assert sum(line.endswith("is back") for line in hub_lines) == 1
    broadcast_lines = messages(caplog, "liveblog.live.events")
    assert sum("unreachable" in line for line in broadcast_lines) == 1
    assert broadcast_lines[-1] == "live broadcast: channel layer is back"
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    await reader.disconnect()


async def test_a_reader_can_join_while_redis_is_down_and_is_kept_current_by_heartbeat(
    own_redis, settings, blog, editor, caplog
):
    settings.LIVE_HEARTBEAT_SECONDS = 3600
    caplog.set_level(logging.WARNING)
    own_redis.kill()
    reader = connect(blog.slug, after=0)
    assert (await reader.connect())[0]
    await file_post(blog=blog, by=editor, headline="Filed while Redis is away")

    await hub.get_hub().beat()

    assert [(await receive(reader)).get("seq") for _ in range(2)] == [1, 1]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    await reader.disconnect()


async def test_the_database_away_costs_one_warning_and_the_heartbeat_recovers(
    blog, editor, monkeypatch, caplog
):
    caplog.set_level(logging.WARNING)
    reader = connect(blog.slug, after=0)
    assert (await reader.connect())[0]
    the_hub = hub.get_hub()
    latest_seqs = hub._latest_seqs

    def database_down(*args, **kwargs):
        async def fail():
            raise OperationalError("connection refused")

        return fail()

    monkeypatch.setattr(hub, "_latest_seqs", database_down)
    from liveblog.live import events

    monkeypatch.setattr(events, "_broadcast", lambda message: None)
    await file_post(blog=blog, by=editor, headline="Lost push")
    await the_hub.beat()
    await the_hub.beat()
    assert (await receive(reader)) == {"kind": "heartbeat", "seq": 0}
    assert (await receive(reader)) == {"kind": "heartbeat", "seq": 0}

    monkeypatch.setattr(hub, "_latest_seqs", latest_seqs)
    await the_hub.beat()

    assert (await receive(reader))["seq"] == 1  # refilled from the log
    lines = messages(caplog, "liveblog.live.hub")
    assert sum("database unreachable" in line for line in lines) == 1
    assert sum(line == "live hub: database is back" for line in lines) == 1
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    await reader.disconnect()
