"""The anonymous fast path (issue 10): rendered pages in process memory keyed by the blog's
token, served by liveblog.pages.asgi in front of Django; the token kept for a short TTL, then
asked of Redis, else of the database; stale-if-error."""

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache
from django.db import OperationalError

from liveblog import selectors, services
from liveblog.models import LiveBlog
from liveblog.pages import caching
from liveblog.pages import store as page_store
from liveblog.pages.asgi import AnonymousPageApp
from tests.degrade.servers import RedisProcess

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("store_on")]

PAGE = "/live/ge2017/"


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


class Django:
    """Stands in for Django behind the fast path: records what reaches it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        self.calls.append(scope["path"])
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def django_app():
    return Django()


def fast_get(django_app, path=PAGE, *, method="GET", query=b"", **headers):
    """One request through AnonymousPageApp: (status, headers, body)."""
    scope = {
        "type": "http",
        "method": method,
        "scheme": "http",
        "path": path,
        "query_string": query,
        "headers": [
            (k.replace("_", "-").lower().encode(), v.encode())
            for k, v in {"host": "testserver", **headers}.items()
        ],
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    async_to_sync(AnonymousPageApp(django_app))(scope, receive, send)
    start, body = sent
    return start["status"], dict(start["headers"]), body["body"]


def test_a_stored_page_is_answered_in_front_of_django(client, reporter_post, django_app):
    first = client.get(PAGE)

    status, _, body = fast_get(django_app)

    assert status == 200
    assert body == first.content
    assert django_app.calls == []


def test_the_fast_answer_carries_the_headers_django_first_sent(client, reporter_post, django_app):
    first = client.get(PAGE)

    _, headers, _ = fast_get(django_app)

    for name in ("ETag", "Last-Modified", "Cache-Control", "Vary", "X-Frame-Options"):
        assert headers[name.encode()] == first[name].encode()
    assert b"Cookie" in headers[b"Vary"]


def test_head_of_a_stored_page_has_its_validators(client, reporter_post, django_app):
    first = client.get(PAGE)

    status, headers, body = fast_get(django_app, method="HEAD")

    assert status == 200
    assert headers[b"ETag"] == first["ETag"].encode()
    assert headers[b"Content-Length"] == str(len(first.content)).encode()
    assert body == b""


def test_the_current_etag_is_answered_304_in_front_of_django(client, reporter_post, django_app):
    first = client.get(PAGE)

    status, headers, body = fast_get(django_app, if_none_match=first["ETag"])

    assert status == 304
    assert body == b""
    assert headers[b"ETag"] == first["ETag"].encode()
    assert django_app.calls == []


def test_other_preconditions_go_to_django(client, reporter_post, django_app):
    first = client.get(PAGE)

    fast_get(django_app, if_modified_since=first["Last-Modified"])

    assert django_app.calls == [PAGE]


def test_a_reader_with_a_session_cookie_goes_to_django(client, reporter_post, django_app):
    client.get(PAGE)

    fast_get(django_app, cookie="sessionid=abc; other=1")

    assert django_app.calls == [PAGE]


def test_a_page_never_rendered_here_goes_to_django(client, reporter_post, django_app):
    client.get(PAGE)

    fast_get(django_app, "/live/ge2017/feed/")
    fast_get(django_app, PAGE, host="evil.example")

    assert django_app.calls == ["/live/ge2017/feed/", PAGE]


def test_a_publish_invalidates_the_stored_page_at_once(
    client, reporter, blog, reporter_post, django_app
):
    client.get(PAGE)

    services.create_post(blog=blog, by=reporter, headline="Exit poll: hung parliament")

    fast_get(django_app)
    assert django_app.calls == [PAGE]
    assert "Exit poll: hung parliament" in client.get(PAGE).content.decode()


def test_after_the_ttl_without_redis_the_token_is_asked_of_django(
    client, reporter_post, django_app, monkeypatch
):
    client.get(PAGE)
    later = caching.time.monotonic() + 61
    monkeypatch.setattr(caching.time, "monotonic", lambda: later)

    fast_get(django_app)

    assert django_app.calls == [PAGE]


def test_within_the_ttl_django_answers_a_stored_page_without_a_query(
    client, reporter_post, django_assert_num_queries
):
    first = client.get(PAGE)

    with django_assert_num_queries(0):
        second = client.get(PAGE)

    assert second.content == first.content


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


def test_the_least_recently_used_copy_goes_first(settings, client, reporter_post):
    settings.LIVEBLOG_PAGE_STORE_ENTRIES = 2
    client.get(PAGE)
    client.get(PAGE, {"before": "1-1"})
    client.get(PAGE)  # the first page is used again
    client.get(PAGE, {"before": "2-2"})

    assert page_store.store.get(("http", "testserver", PAGE, ("", "", ""))) is not None
    assert page_store.store.get(("http", "testserver", PAGE, ("", "1-1", ""))) is None


def test_an_older_updates_page_is_answered_by_its_cursor(client, reporter_post, django_app):
    client.get(PAGE, {"before": "1-1"})

    status, _, _ = fast_get(django_app, query=b"before=1-1&utm_source=x")
    fast_get(django_app, query=b"before=2-2")

    assert status == 200
    assert django_app.calls == [PAGE]


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


def test_with_redis_a_change_committed_by_another_process_is_seen_after_the_ttl(
    client, blog, reporter_post, redis_cache, monkeypatch
):
    first = client.get(PAGE)
    # Another process commits an event: the row moves on and its commit deletes the token.
    LiveBlog.objects.filter(pk=blog.pk).update(last_seq=5)
    cache.delete(caching._token_key(blog.slug))
    later = caching.time.monotonic() + 61
    monkeypatch.setattr(caching.time, "monotonic", lambda: later)

    response = client.get(PAGE, HTTP_IF_NONE_MATCH=first["ETag"])

    assert response.status_code == 200
    assert response["ETag"].startswith(f'"{blog.pk}-5-')


def test_with_redis_after_the_ttl_the_token_comes_from_redis_without_a_query(
    client, reporter_post, redis_cache, django_app, monkeypatch, django_assert_num_queries
):
    client.get(PAGE)
    later = caching.time.monotonic() + 61
    monkeypatch.setattr(caching.time, "monotonic", lambda: later)

    fast_get(django_app)  # the fast path never waits on Redis: Django asks it
    with django_assert_num_queries(0):
        response = client.get(PAGE)
    status, _, _ = fast_get(django_app)

    assert django_app.calls == [PAGE]
    assert response.status_code == 200
    assert status == 200


def test_a_commit_deletes_the_shared_token(
    client, reporter, blog, reporter_post, redis_cache, django_capture_on_commit_callbacks
):
    client.get(PAGE)
    assert cache.get(caching._token_key(blog.slug)) is not None

    with django_capture_on_commit_callbacks(execute=True):
        services.create_post(blog=blog, by=reporter, headline="Exit poll")

    assert cache.get(caching._token_key(blog.slug)) is None


def test_with_redis_killed_the_token_is_read_from_the_database_and_kept_for_the_ttl(
    client, blog, reporter_post, redis_cache, django_assert_num_queries, monkeypatch
):
    first = client.get(PAGE)
    redis_cache.kill()
    later = caching.time.monotonic() + 61
    monkeypatch.setattr(caching.time, "monotonic", lambda: later)

    with django_assert_num_queries(1):
        client.get(PAGE)  # Redis refuses: the token from the database
    with django_assert_num_queries(0):
        response = client.get(PAGE)

    assert response.status_code == 200
    assert response.content == first.content


def test_an_unknown_order_is_answered_from_the_default_pages_copy(
    client, reporter_post, django_app
):
    client.get(PAGE)

    status, _, body = fast_get(django_app, query=b"order=junk")
    fast_get(django_app, query=b"order=oldest")

    assert status == 200
    assert b'data-order="newest"' in body
    assert django_app.calls == [PAGE]  # only the oldest-first page went to Django
