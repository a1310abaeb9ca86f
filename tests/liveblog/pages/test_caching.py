"""HTTP caching of the reader page, the feeds and the read API (issue 7): validators from the
blog's seq, 304 before rendering, rendered once per seq, staff never share anonymous copies."""

import threading
import time
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liveblog import services
from liveblog.models import LiveBlog
from liveblog.pages import caching
from liveblog.pages import store as page_store
from results.services import attach_result_card, correct_result
from tests.factories import PostFactory
from tests.results.conftest import (  # noqa: F401
    entries_of,
    mk_south,
    small_election,
    small_files,
)

pytestmark = pytest.mark.django_db

PAGE = "/live/ge2017/"
FEED = "/live/ge2017/feed/"
KEY_FEED = "/live/ge2017/feed/key-events/"
API_POSTS = "/api/v1/blogs/ge2017/posts/"
READER_URLS = [
    PAGE,
    FEED,
    KEY_FEED,
    API_POSTS,
    "/api/v1/blogs/",
    "/api/v1/blogs/ge2017/",
    "/api/v1/blogs/ge2017/key-events/",
]


@pytest.fixture(autouse=True)
def real_cache(settings):
    """A real cache and page store, private to this test (the test settings switch both off)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"caching-{uuid.uuid4().hex}",
        }
    }
    settings.LIVEBLOG_PAGE_STORE_ENTRIES = 500
    page_store.store.clear()
    yield
    page_store.store.clear()


def _conditional(client, url, response):
    return client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])


# Validators and 304 -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", READER_URLS)
def test_second_request_with_the_etag_is_304_with_the_same_validators(client, reporter_post, url):
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"]
    assert first["Last-Modified"]

    second = _conditional(client, url, first)

    assert second.status_code == 304
    assert second.content == b""
    assert second["ETag"] == first["ETag"]
    assert second["Cache-Control"] == first["Cache-Control"]
    assert "Cookie" in second["Vary"]


@pytest.mark.parametrize("url", READER_URLS)
def test_etag_changes_after_a_publish(client, reporter, blog, reporter_post, url):
    before = client.get(url)

    services.create_post(blog=blog, by=reporter, headline="Exit poll")
    after = _conditional(client, url, before)

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]


def test_etag_is_derived_from_the_blogs_seq(client, blog, reporter_post):
    response = client.get(PAGE)

    blog.refresh_from_db()
    assert response["ETag"].startswith(f'"{blog.pk}-{blog.last_seq}-')


def test_if_modified_since_alone_is_answered_from_the_latest_event(client, reporter, blog):
    services.create_post(blog=blog, by=reporter, headline="Exit poll")
    first = client.get(PAGE)

    second = client.get(PAGE, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert second.status_code == 304


def test_304_is_answered_after_one_query_without_rendering(
    client, reporter_post, django_assert_num_queries
):
    first = client.get(PAGE)

    with django_assert_num_queries(1):  # the blog and its seq
        second = _conditional(client, PAGE, first)

    assert second.status_code == 304


def test_anonymous_responses_may_be_shared_briefly_by_a_cdn(client, reporter_post):
    response = client.get(PAGE)

    assert response["Cache-Control"] == "public, max-age=5, stale-while-revalidate=30"
    assert "Cookie" in response["Vary"]


def test_a_changed_title_changes_the_etag_without_an_event(client, blog, reporter_post):
    before = client.get(PAGE)

    LiveBlog.objects.filter(pk=blog.pk).update(title="Election night")  # as the admin does
    blog.refresh_from_db()
    blog.save(update_fields=["title", "updated_at"])
    after = _conditional(client, PAGE, before)

    assert after.status_code == 200
    assert "Election night" in after.content.decode()


# Rendered once per seq ------------------------------------------------------------------------


def test_page_is_rendered_once_per_seq_then_served_from_the_cache(
    client, reporter_post, django_assert_num_queries
):
    first = client.get(PAGE)

    with django_assert_num_queries(1):  # the blog and its seq; no page queries
        second = client.get(PAGE)

    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_each_older_updates_page_is_cached_on_its_own(client, blog, reporter_post):
    for _ in range(25):
        PostFactory(blog=blog)
    first = client.get(PAGE).content.decode()
    cursor = first.split('rel="next" href="/live/ge2017/?before=', 1)[1].split('"', 1)[0]

    older = client.get(PAGE, {"before": cursor}).content.decode()

    assert older != first
    assert client.get(PAGE, {"before": cursor}).content.decode() == older


def test_a_new_event_makes_the_next_request_render_the_new_post(client, reporter, blog):
    client.get(PAGE)

    services.create_post(blog=blog, by=reporter, headline="Exit poll: hung parliament")
    html = client.get(PAGE).content.decode()

    assert "Exit poll: hung parliament" in html


def test_unknown_query_parameters_do_not_make_new_copies(client, reporter_post):
    client.get(PAGE)
    copies_before = len(page_store.store)

    client.get(PAGE, {"utm_source": "x"})

    assert len(page_store.store) == copies_before == 1


def test_bad_cursor_is_400_and_not_cached(client, reporter_post):
    response = client.get(PAGE, {"before": "yesterday"})

    assert response.status_code == 400
    assert "ETag" not in response
    assert len(page_store.store) == 0


def test_result_correction_moves_the_seq_so_the_cached_card_is_replaced(
    client,
    editor,
    blog,
    mk_south,  # noqa: F811
):
    """Result cards render from the current result; a correction records POST_UPDATED for
    every post showing it (results.services), so seq-keyed copies are never stale."""
    post = services.create_post(blog=blog, by=editor, headline="Milton Keynes South")
    attach_result_card(post, mk_south, by=editor)
    first = client.get(PAGE)
    lab = mk_south.candidacies.get(party__code="LAB")
    assert f"{lab.votes:,}" in first.content.decode()

    correct_result(
        mk_south,
        candidates=entries_of(mk_south, LAB=lab.votes + 1000),
        electorate=mk_south.electorate,
        invalid_votes=mk_south.invalid_votes,
        by=editor,
        note="Recount",
    )
    second = _conditional(client, PAGE, first)

    assert second.status_code == 200
    assert f"{lab.votes + 1000:,}" in second.content.decode()


# Staff and anonymous readers never share copies ------------------------------------------------


def test_staff_get_a_private_uncached_page(client, reporter, reporter_post):
    client.force_login(reporter)

    response = client.get(PAGE)

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    assert "ETag" not in response


def test_staff_are_never_served_the_cached_anonymous_page(client, reporter, reporter_post):
    client.get(PAGE)  # an anonymous reader fills the cache
    client.force_login(reporter)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)

    assert response.status_code == 200
    page_queries = [q for q in queries.captured_queries if "liveblog_post" in q["sql"]]
    assert page_queries, "rendered for the signed-in user, not served from the cache"


def test_staff_etag_from_an_anonymous_copy_gets_a_full_private_page(
    client, reporter, reporter_post
):
    anonymous = client.get(PAGE)
    client.force_login(reporter)

    response = _conditional(client, PAGE, anonymous)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_anonymous_readers_are_never_served_a_staff_render(client, reporter, reporter_post):
    client.force_login(reporter)
    client.get(PAGE)  # rendered for staff: must not be stored for everyone
    client.logout()

    assert len(page_store.store) == 0
    response = client.get(PAGE)
    assert "public" in response["Cache-Control"]


def test_signed_in_api_reads_are_private(reporter, reporter_post):
    from tests.liveblog.api.conftest import token_client

    response = token_client(reporter).get(API_POSTS)

    assert "private" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]


# The per-process snapshot of the blog row ----------------------------------------------------


@pytest.fixture
def seq_ttl(settings):
    settings.LIVEBLOG_SEQ_TTL = 60
    caching.tokens.forget()
    yield
    caching.tokens.forget()


def test_within_the_ttl_readers_are_answered_without_a_query(
    client, reporter_post, seq_ttl, django_assert_num_queries
):
    first = client.get(PAGE)

    with django_assert_num_queries(0):
        page = client.get(PAGE)
        not_modified = _conditional(client, PAGE, first)

    assert page.content == first.content
    assert not_modified.status_code == 304


def test_an_event_recorded_in_this_process_is_seen_at_once(
    client, reporter, blog, reporter_post, seq_ttl
):
    first = client.get(PAGE)

    services.create_post(blog=blog, by=reporter, headline="Exit poll")
    second = _conditional(client, PAGE, first)

    assert second.status_code == 200
    assert "Exit poll" in second.content.decode()


def test_a_change_made_by_another_process_is_seen_after_the_ttl(
    client, blog, reporter_post, seq_ttl, monkeypatch
):
    first = client.get(PAGE)
    # Another process's event: the row moves on, nothing here is told.
    LiveBlog.objects.filter(pk=blog.pk).update(last_seq=5)

    assert _conditional(client, PAGE, first).status_code == 304
    later = caching.time.monotonic() + 61
    monkeypatch.setattr(caching.time, "monotonic", lambda: later)
    response = _conditional(client, PAGE, first)

    assert response.status_code == 200
    assert response["ETag"].startswith(f'"{blog.pk}-5-')


def test_readers_arriving_together_after_a_new_seq_share_one_render(settings, monkeypatch):
    """No database here: the blog is a snapshot made in memory, the view a slow stand-in."""
    settings.LIVEBLOG_SEQ_TTL = 0
    blog = LiveBlog(pk=41, slug="night", last_seq=7, updated_at=timezone.now())
    monkeypatch.setattr(caching, "_read_blog", lambda slug: blog)
    renders = []

    @caching.cache_per_seq(name="test")
    def slow_view(request, blog):
        renders.append(blog.last_seq)
        time.sleep(0.2)
        return HttpResponse("rendered")

    factory = RequestFactory()
    start = threading.Barrier(4)
    bodies = []

    def reader():
        request = factory.get("/live/night/")
        request.user = AnonymousUser()
        start.wait()
        bodies.append(slow_view(request, "night").content)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert renders == [7]
    assert bodies == [b"rendered"] * 4


# The render locks: an explicit, bounded table ------------------------------------------------


def _key(n: int):
    return ("http", "testserver", "/live/ge2017/", (f"before={n}",))


def test_one_lock_per_page_and_the_table_stays_bounded():
    locks = caching.RenderLocks(limit=3)
    first = locks.for_page(_key(1))
    assert locks.for_page(_key(1)) is first
    for n in range(2, 50):
        locks.for_page(_key(n))
    assert len(locks) == 3


def test_a_held_lock_is_never_dropped_so_its_waiters_share_it():
    locks = caching.RenderLocks(limit=2)
    held = locks.for_page(_key(1))
    with held:
        for n in range(2, 20):
            locks.for_page(_key(n))
        assert locks.for_page(_key(1)) is held
    assert len(locks) <= 3
