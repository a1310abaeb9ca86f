"""The anonymous fast path (issue 10): rendered pages in process memory keyed by the blog's
token, served by AnonymousPageMiddleware before the rest of the middleware; Redis says what
the token is, the database does with a short TTL when Redis cannot; stale-if-error."""

import uuid

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.db import OperationalError

from liveblog import caching, page_store, selectors, services
from liveblog.models import LiveBlog
from tests.degrade.servers import RedisProcess

pytestmark = pytest.mark.django_db

PAGE = "/live/ge2017/"


@pytest.fixture(autouse=True)
def store_on(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"page-store-{uuid.uuid4().hex}",
        }
    }
    settings.LIVEBLOG_PAGE_STORE_ENTRIES = 500
    settings.LIVEBLOG_SEQ_TTL = 60
    page_store.store.clear()
    caching.tokens.reset()
    yield
    page_store.store.clear()
    caching.tokens.reset()


@pytest.fixture
def redis_cache(settings):
    server = RedisProcess().start()
    settings.CACHES = {
        "default": {
            "BACKEND": "liveblog.resilient_cache.ResilientRedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "page-store-test",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def session_middleware_calls(monkeypatch):
    calls = []
    real = SessionMiddleware.process_request

    def counting(self, request):
        calls.append(request.path)
        return real(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", counting)
    return calls


def test_a_cached_anonymous_hit_makes_no_query_and_skips_the_other_middleware(
    client, reporter_post, django_assert_num_queries, session_middleware_calls
):
    first = client.get(PAGE)
    session_middleware_calls.clear()

    with django_assert_num_queries(0):
        second = client.get(PAGE)

    assert second.status_code == 200
    assert second.content == first.content
    assert session_middleware_calls == []


def test_a_cached_hit_carries_the_headers_of_the_first_response(client, reporter_post):
    first = client.get(PAGE)

    second = client.get(PAGE)

    for header in ("ETag", "Last-Modified", "Cache-Control", "Vary", "X-Frame-Options"):
        assert second[header] == first[header]
    assert "Cookie" in second["Vary"]


def test_head_of_a_cached_page_has_its_validators(client, reporter_post):
    first = client.get(PAGE)

    head = client.head(PAGE)

    assert head.status_code == 200
    assert head["ETag"] == first["ETag"]


def test_a_publish_invalidates_the_cached_page_at_once(client, reporter, blog, reporter_post):
    client.get(PAGE)

    services.create_post(blog=blog, by=reporter, headline="Exit poll: hung parliament")

    assert "Exit poll: hung parliament" in client.get(PAGE).content.decode()


def test_a_signed_in_editor_sees_the_fresh_page_and_no_anonymous_copy(
    client, editor, blog, reporter_post
):
    anonymous = client.get(PAGE)
    # A change readers do not see yet (no event): only a fresh render shows it.
    LiveBlog.objects.filter(pk=blog.pk).update(description="Counting continues overnight")
    client.force_login(editor)

    response = client.get(PAGE)

    assert "Counting continues overnight" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert response.content != anonymous.content


def test_a_cached_hit_through_the_async_stack_makes_no_query(
    async_client, client, reporter_post, django_assert_num_queries
):
    first = client.get(PAGE)

    async def fetch():
        return await async_client.get(PAGE)

    from asgiref.sync import async_to_sync

    with django_assert_num_queries(0):
        second = async_to_sync(fetch)()

    assert second.status_code == 200
    assert second.content == first.content


def test_the_current_etag_is_answered_304_from_the_store(
    client, reporter_post, django_assert_num_queries
):
    first = client.get(PAGE)

    with django_assert_num_queries(0):
        second = client.get(PAGE, HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 304


def test_the_least_recently_used_copy_goes_first(settings, client, reporter_post):
    settings.LIVEBLOG_PAGE_STORE_ENTRIES = 2
    client.get(PAGE)
    client.get(PAGE, {"before": "1-1"})
    client.get(PAGE)  # the first page is used again
    client.get(PAGE, {"before": "2-2"})

    host_path = ("testserver", PAGE)
    assert page_store.store.get((*host_path, ("",))) is not None
    assert page_store.store.get((*host_path, ("1-1",))) is None


# Stale-if-error -------------------------------------------------------------------------------


def _database_down(monkeypatch):
    def unavailable(slug):
        raise OperationalError("connection refused")

    monkeypatch.setattr(selectors, "get_blog_for_readers", unavailable)


def test_with_the_database_down_the_last_copy_is_served(
    settings, client, reporter_post, monkeypatch
):
    settings.LIVEBLOG_SEQ_TTL = 0  # every request asks for the token
    first = client.get(PAGE)
    _database_down(monkeypatch)

    response = client.get(PAGE)

    assert response.status_code == 200
    assert response.content == first.content


def test_with_the_database_down_and_no_copy_the_page_is_503(
    settings, client, reporter_post, monkeypatch
):
    _database_down(monkeypatch)

    response = client.get(PAGE)

    assert response.status_code == 503
    assert "database" in response.content.decode().lower()


# The token in Redis ---------------------------------------------------------------------------


def test_with_redis_a_change_committed_by_another_process_is_seen_at_once(
    client, blog, reporter_post, redis_cache
):
    first = client.get(PAGE)
    # Another process commits an event: the row moves on and its commit deletes the token.
    LiveBlog.objects.filter(pk=blog.pk).update(last_seq=5)
    cache.delete(caching._token_key(blog.slug))

    response = client.get(PAGE, HTTP_IF_NONE_MATCH=first["ETag"])

    assert response.status_code == 200
    assert response["ETag"].startswith(f'"{blog.pk}-5-')


def test_with_redis_a_cached_hit_makes_no_query(
    client, reporter_post, redis_cache, django_assert_num_queries
):
    first = client.get(PAGE)

    with django_assert_num_queries(0):
        second = client.get(PAGE)

    assert second.content == first.content


def test_a_commit_deletes_the_shared_token(
    client, reporter, blog, reporter_post, redis_cache, django_capture_on_commit_callbacks
):
    client.get(PAGE)
    assert cache.get(caching._token_key(blog.slug)) is not None

    with django_capture_on_commit_callbacks(execute=True):
        services.create_post(blog=blog, by=reporter, headline="Exit poll")

    assert cache.get(caching._token_key(blog.slug)) is None


def test_with_redis_killed_the_page_is_served_from_memory_with_a_short_ttl(
    client, blog, reporter_post, redis_cache, django_assert_num_queries
):
    first = client.get(PAGE)
    redis_cache.kill()

    client.get(PAGE)  # the token from the database, kept for LIVEBLOG_SEQ_TTL
    with django_assert_num_queries(0):
        response = client.get(PAGE)

    assert response.status_code == 200
    assert response.content == first.content
