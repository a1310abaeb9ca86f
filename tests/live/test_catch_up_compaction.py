"""Catch-up never replays what readers may no longer see (issue 14, item 3): a deleted
post's events carry no content, an edited post's earlier renders are not served, from the
log, from the hub's memory, or through the API's `after_seq` sync. Every seq still arrives."""

import json

import pytest
from channels.db import database_sync_to_async
from rest_framework.test import APIClient

from liveblog import services
from liveblog.live import hub
from liveblog.models import LiveEvent
from tests.live.test_hub import connect

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Libellous claim about a candidate"

file_post = database_sync_to_async(services.create_post)
update_post = database_sync_to_async(services.update_post)
delete_post = database_sync_to_async(services.delete_post)


async def everything(reader, count: int) -> list[dict]:
    return [json.loads(await reader.receive_from(timeout=3)) for _ in range(count)]


async def test_a_deleted_post_reaches_a_reader_catching_up_from_the_log_without_content(
    blog, editor
):
    post = await file_post(blog=blog, by=editor, headline=SECRET)
    await delete_post(post, by=editor)

    reader = connect(blog.slug, after=0)
    assert (await reader.connect())[0]
    messages = await everything(reader, 2)

    assert SECRET not in json.dumps(messages)
    assert messages == [
        {"seq": 1, "kind": "noop"},
        {"seq": 2, "kind": "post.deleted", "post_id": post.pk, "html": ""},
    ]
    await reader.disconnect()


async def test_a_deleted_post_is_gone_from_the_hubs_memory_too(blog, editor, monkeypatch):
    watcher = connect(blog.slug, after=0)
    assert (await watcher.connect())[0]
    post = await file_post(blog=blog, by=editor, headline=SECRET)
    await delete_post(post, by=editor)
    assert [m["seq"] for m in await everything(watcher, 2)] == [1, 2]

    def no_database(*args, **kwargs):
        raise AssertionError("catch-up should come from memory")

    monkeypatch.setattr(hub, "_catch_up_from_log", no_database)
    late = connect(blog.slug, after=0)
    assert (await late.connect())[0]
    messages = await everything(late, 2)

    assert SECRET not in json.dumps(messages)
    assert [m["kind"] for m in messages] == ["noop", "post.deleted"]
    await watcher.disconnect()
    await late.disconnect()


async def test_an_edited_post_is_caught_up_with_its_current_render_only(blog, editor):
    post = await file_post(blog=blog, by=editor, headline=SECRET)
    await update_post(post, by=editor, expected_version=post.version, headline="Corrected")

    reader = connect(blog.slug, after=0)
    assert (await reader.connect())[0]
    published, updated = await everything(reader, 2)

    assert SECRET not in json.dumps([published, updated])
    assert (published["seq"], published["kind"]) == (1, "post.published")
    assert "Corrected" in published["html"]
    assert (updated["seq"], updated["kind"], updated["html"]) == (
        2,
        "post.updated",
        published["html"],
    )
    await reader.disconnect()


async def test_an_edit_replaces_the_earlier_render_in_the_hubs_memory(blog, editor):
    watcher = connect(blog.slug, after=0)
    assert (await watcher.connect())[0]
    post = await file_post(blog=blog, by=editor, headline=SECRET)
    await update_post(post, by=editor, expected_version=post.version, headline="Corrected")
    await everything(watcher, 2)

    late = connect(blog.slug, after=0)
    assert (await late.connect())[0]
    messages = await everything(late, 2)

    assert SECRET not in json.dumps(messages)
    assert all("Corrected" in m["html"] for m in messages)
    await watcher.disconnect()
    await late.disconnect()


def test_the_log_keeps_no_content_of_a_deleted_post(blog, editor):
    post = services.create_post(blog=blog, by=editor, headline=SECRET)
    post = services.update_post(post, by=editor, expected_version=post.version, body="<p>x</p>")
    services.delete_post(post, by=editor)

    assert list(LiveEvent.objects.filter(post=post).values_list("seq", "html")) == [
        (1, ""),
        (2, ""),
        (3, ""),
    ]


def test_the_log_keeps_only_the_latest_render_of_an_edited_post(blog, editor):
    post = services.create_post(blog=blog, by=editor, headline=SECRET)
    services.update_post(post, by=editor, expected_version=post.version, headline="Corrected")

    first, latest = LiveEvent.objects.filter(post=post).order_by("seq")
    assert first.html == ""
    assert "Corrected" in latest.html


def test_the_api_after_seq_sync_serves_no_deleted_or_superseded_text(blog, editor):
    kept = services.create_post(blog=blog, by=editor, headline=SECRET)
    services.update_post(kept, by=editor, expected_version=kept.version, headline="Corrected")
    gone = services.create_post(blog=blog, by=editor, headline=f"{SECRET} again")
    services.delete_post(gone, by=editor)

    response = APIClient().get(f"/api/v1/blogs/{blog.slug}/posts/", {"after_seq": 0})

    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    body = response.json()
    assert [post["headline"] for post in body["results"]] == ["Corrected"]
    assert body["deleted"] == [gone.pk]
    assert body["last_seq"] == 4
