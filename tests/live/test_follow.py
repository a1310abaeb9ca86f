"""Starting to follow a blog in a process (issue 10, the reconnect storm): an event
published between the blog read and the subscription still reaches readers, and readers
arriving together at a process that does not follow their blog yet cost a constant
number of queries, not one per reader."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.db.backends import utils as db_utils

from liveblog import services
from liveblog.live import hub
from tests.live.test_hub import connect, file_post, seqs

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queries(monkeypatch):
    """Every SQL statement run, from any thread (database_sync_to_async runs elsewhere)."""
    statements: list[str] = []
    execute = db_utils.CursorWrapper.execute

    def counted(self, sql, params=None):
        statements.append(sql)
        return execute(self, sql, params)

    monkeypatch.setattr(db_utils.CursorWrapper, "execute", counted)
    return statements


async def test_an_event_published_between_the_blog_read_and_the_subscription_reaches_the_reader(
    blog, editor, monkeypatch
):
    await file_post(blog=blog, by=editor, headline="Before")
    read_blog = hub._get_blog

    async def read_then_publish(slug):
        row = await read_blog(slug)
        # Published now, before this process subscribes: the layer never brings it here.
        await file_post(blog=blog, by=editor, headline="In the window")
        return row

    monkeypatch.setattr(hub, "_get_blog", read_then_publish)
    reader = connect(blog.slug, after=1)
    assert (await reader.connect())[0]

    assert await seqs(reader, 1) == [2]
    await reader.disconnect()


async def test_readers_arriving_together_at_a_process_not_following_their_blog_cost_two_queries(
    blog, editor, queries
):
    for n in range(12):
        await file_post(blog=blog, by=editor, headline=f"Post {n}")
    queries.clear()
    afters = [n % 13 for n in range(50)]  # 0 (all of it) to 12 (up to date)
    readers = [connect(blog.slug, after=after) for after in afters]

    connected = await asyncio.gather(*(reader.connect() for reader in readers))

    assert all(accepted for accepted, _ in connected)
    # The blog row and its latest events, once for all 50.
    assert len(queries) == 2
    for reader, after in zip(readers, afters, strict=True):
        assert await seqs(reader, 12 - after) == list(range(after + 1, 13))
        assert await reader.receive_nothing(timeout=0.01)
    await asyncio.gather(*(reader.disconnect() for reader in readers))


async def test_a_reader_joining_once_the_blog_is_followed_catches_up_without_a_query(
    blog, editor, queries
):
    for n in range(3):
        await file_post(blog=blog, by=editor, headline=f"Post {n}")
    first = connect(blog.slug)
    assert (await first.connect())[0]
    queries.clear()

    second = connect(blog.slug, after=0)
    assert (await second.connect())[0]

    assert await seqs(second, 3) == [1, 2, 3]
    assert queries == []
    await first.disconnect()
    await second.disconnect()


async def test_catch_up_from_the_filled_memory_follows_the_logs_compaction(blog, editor):
    post = await file_post(blog=blog, by=editor, headline="First take")
    other = await file_post(blog=blog, by=editor, headline="Other")
    await database_sync_to_async(services.update_post)(
        post, by=editor, expected_version=post.version, headline="Fixed"
    )
    await database_sync_to_async(services.delete_post)(other, by=editor)
    reader = connect(blog.slug, after=0)
    assert (await reader.connect())[0]

    messages = [json.loads(await reader.receive_from(timeout=3)) for _ in range(4)]

    assert [m["seq"] for m in messages] == [1, 2, 3, 4]
    assert "Fixed" in messages[0]["html"] and "First take" not in messages[0]["html"]
    assert messages[1] == {"seq": 2, "kind": "noop"}
    await reader.disconnect()
