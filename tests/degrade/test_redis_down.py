"""Redis is an accelerator, not a dependency (issue 10): with the cache's Redis down, or
killed mid-test, pages, feeds and the API answer 200 and writes succeed, throttles count per
process, and the log says once that Redis went away and once that it came back."""

import logging

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from liveblog import resilient_cache
from liveblog.models import LiveEvent, Post
from tests.degrade.servers import RedisProcess, free_port
from tests.liveblog.api.conftest import token_client

pytestmark = pytest.mark.django_db

READER_URLS = ["/live/ge2017/", "/api/v1/blogs/ge2017/", "/live/ge2017/feed/"]


def use_redis_cache(settings, url: str, *, retry_after: float = 5.0) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "liveblog.resilient_cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "degrade-test",
            "OPTIONS": {
                "socket_connect_timeout": 0.25,
                "socket_timeout": 0.5,
                "RETRY_AFTER": retry_after,
            },
        }
    }


@pytest.fixture
def dead_redis(settings):
    """The cache points at a loopback port where nothing listens."""
    use_redis_cache(settings, f"redis://127.0.0.1:{free_port()}/0")


@pytest.fixture
def live_redis(settings):
    """A Redis of this test's own that the test may kill and start again."""
    server = RedisProcess().start()
    use_redis_cache(settings, server.url)
    try:
        yield server
    finally:
        server.kill()


def redis_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "liveblog.redis"]


def create_post(client: APIClient, headline: str):
    return client.post("/api/v1/blogs/ge2017/posts/create/", {"headline": headline}, format="json")


@pytest.mark.parametrize("url", READER_URLS)
def test_reader_urls_answer_200_while_the_cache_redis_is_down(
    client, reporter_post, dead_redis, url
):
    response = client.get(url)

    assert response.status_code == 200


def test_an_api_write_succeeds_and_is_recorded_while_the_cache_redis_is_down(
    reporter, blog, dead_redis
):
    response = create_post(token_client(reporter), "Exit poll")

    assert response.status_code == 201
    post = Post.objects.get(blog=blog, headline="Exit poll")
    assert LiveEvent.objects.filter(post=post, kind=LiveEvent.Kind.POST_PUBLISHED).exists()


def test_a_dead_redis_is_reported_once_not_per_request(client, reporter_post, dead_redis, caplog):
    caplog.set_level(logging.WARNING, logger="liveblog.redis")

    for _ in range(5):
        assert client.get("/api/v1/blogs/ge2017/").status_code == 200

    assert len(redis_warnings(caplog)) == 1
    assert "unreachable" in redis_warnings(caplog)[0]


def test_while_the_breaker_is_open_redis_is_not_tried(
    client, reporter_post, dead_redis, monkeypatch
):
    client.get("/api/v1/blogs/ge2017/")  # opens the breaker
    attempts = []
    real_get_client = cache._cache.get_client
    monkeypatch.setattr(
        cache._cache, "get_client", lambda *a, **k: attempts.append(1) or real_get_client(*a, **k)
    )

    for _ in range(3):
        client.get("/api/v1/blogs/ge2017/")

    assert attempts == []


def test_throttles_count_per_process_while_redis_is_down(settings, reporter_post, dead_redis):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon_read": "3/min", "write": "3/min"},
    }
    client = APIClient()

    statuses = [client.get("/api/v1/blogs/ge2017/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_redis_killed_mid_test_keeps_reads_and_writes_working(
    client, reporter, reporter_post, live_redis, caplog
):
    caplog.set_level(logging.WARNING, logger="liveblog.redis")
    writer = token_client(reporter)
    assert client.get("/live/ge2017/").status_code == 200
    assert create_post(writer, "Before").status_code == 201
    assert cache.is_shared

    live_redis.kill()
    statuses = [client.get(url).status_code for url in READER_URLS]
    write = create_post(writer, "During")

    assert statuses == [200, 200, 200]
    assert write.status_code == 201
    assert not cache.is_shared
    assert len(redis_warnings(caplog)) == 1


def test_redis_coming_back_is_reported_once_and_used_again(
    client, reporter_post, live_redis, caplog, monkeypatch
):
    caplog.set_level(logging.WARNING, logger="liveblog.redis")
    client.get("/api/v1/blogs/ge2017/")
    live_redis.kill()
    client.get("/api/v1/blogs/ge2017/")
    live_redis.start()
    assert not cache.is_shared

    later = resilient_cache.time.monotonic() + 6  # past RETRY_AFTER
    monkeypatch.setattr(resilient_cache.time, "monotonic", lambda: later)
    for _ in range(3):
        assert client.get("/api/v1/blogs/ge2017/").status_code == 200

    messages = redis_warnings(caplog)
    assert len(messages) == 2
    assert "reachable again" in messages[1]
    assert cache.is_shared


def test_a_failed_retry_keeps_the_breaker_open_without_another_warning(
    client, reporter_post, dead_redis, caplog, monkeypatch
):
    caplog.set_level(logging.WARNING, logger="liveblog.redis")
    client.get("/api/v1/blogs/ge2017/")

    later = resilient_cache.time.monotonic() + 6
    monkeypatch.setattr(resilient_cache.time, "monotonic", lambda: later)
    client.get("/api/v1/blogs/ge2017/")

    assert len(redis_warnings(caplog)) == 1
    assert not cache.is_shared
