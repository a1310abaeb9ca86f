"""Live reader counts per blog ("readers and newsroom"): each process's hub reports its readers
every few seconds, the admin sums the processes' reports, the peak is kept in the database;
with Redis away the count is unknown and nothing else changes."""

import asyncio
import json
import logging
import shutil
import time
from collections.abc import Iterator

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from liveblog import services
from liveblog.live import hub, reader_counts
from liveblog.live.reader_counts import Census, get_reader_counts
from liveblog.models import LiveBlog
from tests.degrade.servers import RedisProcess, free_port
from tests.live.test_hub import connect

# The sockets and the hubs' reports run on other threads: those tests commit (transaction=True).
pytestmark = pytest.mark.django_db
live = pytest.mark.django_db(transaction=True)

counts_of = database_sync_to_async(get_reader_counts)
file_post = database_sync_to_async(services.create_post)


@pytest.fixture(autouse=True)
def empty_boards() -> Iterator[None]:
    reader_counts.local_board.clear()
    reader_counts.redis_read_board.cache_clear()
    yield
    reader_counts.local_board.clear()
    reader_counts.redis_read_board.cache_clear()


@pytest.fixture
def own_redis(settings) -> Iterator[RedisProcess]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: install Debian's redis-server")
    redis = RedisProcess().start()
    settings.LIVE_READER_COUNTS_URL = redis.url
    try:
        yield redis
    finally:
        redis.kill()


@pytest.fixture
def without_redis(settings) -> None:
    """`make run`: no Redis, the one process's memory is the board."""
    settings.LIVE_READER_COUNTS_URL = ""


@pytest.fixture
def redis_down(settings) -> str:
    url = f"redis://127.0.0.1:{free_port()}/0"
    settings.LIVE_READER_COUNTS_URL = url
    return url


@database_sync_to_async
def peak_of(blog: LiveBlog) -> tuple[int, object]:
    row = LiveBlog.objects.only("peak_readers", "peak_readers_at").get(pk=blog.pk)
    return row.peak_readers, row.peak_readers_at


async def wait_until(condition, *, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


# Across processes (two hubs' reports with their own process ids, against a real Redis) ------


@live
async def test_the_count_is_the_sum_of_every_processs_report(own_redis, blog):
    first, second = Census("process-a"), Census("process-b")

    await first.report({blog.pk: 3})
    totals = await second.report({blog.pk: 4})

    assert totals == {blog.pk: 7}
    assert await counts_of([blog.pk]) == {blog.pk: 7}
    await first.close()
    await second.close()


@live
async def test_a_process_whose_readers_left_the_blog_stops_counting(own_redis, blog):
    first, second = Census("process-a"), Census("process-b")
    await first.report({blog.pk: 3})
    await second.report({blog.pk: 4})

    await first.report({})  # its last reader of the blog left

    assert await counts_of([blog.pk]) == {blog.pk: 4}
    await first.close()
    await second.close()


@live
async def test_a_process_that_stopped_reporting_no_longer_counts(own_redis, blog, monkeypatch):
    dead, alive = Census("crashed"), Census("alive")
    long_ago = time.time() - 10 * reader_counts.entry_ttl()
    with monkeypatch.context() as patch:
        patch.setattr(reader_counts.time, "time", lambda: long_ago)
        await dead.report({blog.pk: 50})

    assert await alive.report({blog.pk: 2}) == {blog.pk: 2}
    assert await counts_of([blog.pk]) == {blog.pk: 2}
    await dead.close()
    await alive.close()


@live
async def test_the_peak_is_the_highest_total_and_stays_in_the_database(own_redis, blog):
    first, second = Census("process-a"), Census("process-b")
    await first.report({blog.pk: 3})
    await second.report({blog.pk: 4})  # 7 across both
    await first.report({blog.pk: 1})  # 5

    peak, at = await peak_of(blog)

    assert peak == 7
    assert at is not None
    own_redis.kill()  # a Redis restart loses the counts, not the peak
    assert (await peak_of(blog))[0] == 7
    await first.close()
    await second.close()


@live
async def test_blogs_are_counted_apart(own_redis, blog):
    other = await database_sync_to_async(LiveBlog.objects.create)(
        title="Mayor of London", slug="mayor"
    )
    census = Census("process-a")

    await census.report({blog.pk: 3, other.pk: 9})

    assert await counts_of([blog.pk, other.pk]) == {blog.pk: 3, other.pk: 9}
    await census.close()


# The hub's own periodic report ---------------------------------------------------------------


@live
async def test_the_hub_reports_its_readers_periodically_and_stops_with_them(
    own_redis, settings, blog
):
    settings.LIVE_READER_COUNT_SECONDS = 0.05
    readers = [connect(blog.slug) for _ in range(3)]
    for reader in readers:
        assert (await reader.connect())[0]

    async def three_counted() -> bool:
        return await counts_of([blog.pk]) == {blog.pk: 3}

    await wait_until(three_counted)
    assert (await peak_of(blog))[0] == 3
    for reader in readers:
        await reader.disconnect()
    assert hub.get_hub().readers_per_blog() == {}
    assert hub.get_hub()._census_task is None


# Redis away ----------------------------------------------------------------------------------


@live
async def test_with_redis_down_the_count_is_unknown_and_the_report_warns_once(
    redis_down, blog, caplog
):
    caplog.set_level(logging.WARNING)
    census = Census("process-a")

    assert await census.report({blog.pk: 3}) is None
    assert await census.report({blog.pk: 3}) is None

    assert await counts_of([blog.pk]) is None
    warnings = [r.getMessage() for r in caplog.records if r.name == reader_counts.__name__]
    assert len(warnings) == 1 and "unreachable" in warnings[0]
    assert (await peak_of(blog))[0] == 0
    await census.close()


@live
async def test_with_redis_down_the_hub_serves_its_readers_as_ever(
    redis_down, settings, blog, editor, caplog
):
    settings.LIVE_READER_COUNT_SECONDS = 0.01
    caplog.set_level(logging.WARNING)
    reader = connect(blog.slug, after=0)
    assert (await reader.connect())[0]
    the_hub = hub.get_hub()

    async def reported_down() -> bool:
        return the_hub.census.redis_outage.down

    await wait_until(reported_down)
    await file_post(blog=blog, by=editor, headline="Still live")

    message = json.loads(await reader.receive_from(timeout=3))
    assert message["kind"] == "post.published"
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    await reader.disconnect()


# The admin -----------------------------------------------------------------------------------


def test_the_blog_list_shows_the_counts_and_peaks(client, editor, blog, without_redis):
    reader_counts.local_board.publish("process-a", {blog.pk: 12}, withdrawn=(), now=time.time())
    client.force_login(editor)

    html = client.get(reverse("admin:liveblog_liveblog_changelist")).content.decode()

    assert "Readers now (approx.)" in html
    assert f'data-blog="{blog.pk}"' in html and ">12</span>" in html
    assert "admin-readers.js" in html and 'type="module"' in html


def test_the_blog_list_reads_the_board_once_however_many_blogs(
    client, editor, own_redis, monkeypatch
):
    for n in range(3):
        LiveBlog.objects.create(title=f"Count {n}", slug=f"count-{n}")
    reads = []
    board = reader_counts.redis_read_board(own_redis.url)
    real_totals = board.totals
    monkeypatch.setattr(
        board, "totals", lambda ids, now: reads.append(ids) or real_totals(ids, now=now)
    )
    client.force_login(editor)

    response = client.get(reverse("admin:liveblog_liveblog_changelist"))

    assert response.status_code == 200
    assert len(reads) == 1 and len(reads[0]) == 3


@pytest.mark.parametrize("blogs", [1, 4])
def test_the_blog_list_runs_the_same_queries_however_many_blogs(
    client, editor, blog, blogs, django_assert_num_queries
):
    for n in range(blogs - 1):
        LiveBlog.objects.create(title=f"Count {n}", slug=f"count-{n}")
    client.force_login(editor)
    url = reverse("admin:liveblog_liveblog_changelist")
    client.get(url)

    # As many with one blog as with four: the counts are read once for the page, never
    # per row, and none of them from the database.
    with django_assert_num_queries(BLOG_LIST_QUERIES):
        response = client.get(url)

    assert response.content.decode().count("data-reader-count") == blogs


BLOG_LIST_QUERIES = 7


def test_the_count_endpoint_answers_counts_and_peaks_for_staff(client, editor, blog, without_redis):
    reader_counts.local_board.publish("process-a", {blog.pk: 1234}, withdrawn=(), now=time.time())
    client.force_login(editor)

    response = client.get(reverse("admin:liveblog_liveblog_readers"), {"blog": blog.pk})

    assert response.status_code == 200
    body = response.json()
    assert body["available"] is True
    assert body["blogs"][str(blog.pk)]["readers"] == 1234
    assert body["blogs"][str(blog.pk)]["readers_text"] == "1,234"
    assert body["blogs"][str(blog.pk)]["peak_text"] == "none yet"


def test_the_count_endpoint_is_for_staff_only(client, blog):
    response = client.get(reverse("admin:liveblog_liveblog_readers"), {"blog": blog.pk})

    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("value", ["abc", "0", str(2**63)])
def test_the_count_endpoint_refuses_what_is_not_a_blog_id(client, editor, value):
    client.force_login(editor)

    response = client.get(reverse("admin:liveblog_liveblog_readers"), {"blog": value})

    assert response.status_code == 400


def test_with_redis_down_the_admin_says_unknown_and_still_works(client, editor, blog, redis_down):
    client.force_login(editor)

    page = client.get(reverse("admin:liveblog_liveblog_changelist"))
    change = client.get(reverse("admin:liveblog_liveblog_change", args=[blog.pk]))
    counts = client.get(reverse("admin:liveblog_liveblog_readers"), {"blog": blog.pk})

    assert page.status_code == change.status_code == counts.status_code == 200
    assert "unknown (Redis unavailable)" in page.content.decode()
    assert "unknown (Redis unavailable)" in change.content.decode()
    assert counts.json()["available"] is False
    assert counts.json()["blogs"][str(blog.pk)]["readers"] is None
