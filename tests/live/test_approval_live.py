"""The live socket and the approval queue: nothing reaches readers while a post waits, and
approval publishes it with exactly one event."""

import json

import pytest
from channels.db import database_sync_to_async

from liveblog import services
from tests.live.test_hub import connect

pytestmark = pytest.mark.django_db(transaction=True)

file_post = database_sync_to_async(services.create_post)
approve = database_sync_to_async(services.approve_post)
send_back = database_sync_to_async(services.return_post)
discard = database_sync_to_async(services.discard_post)


@pytest.fixture
def approval_blog(blog, editor):
    return services.update_blog(blog, by=editor, requires_approval=True)


async def test_a_submitted_post_sends_nothing_until_approval_publishes_it_once(
    approval_blog, reporter, editor
):
    reader = connect(approval_blog.slug, after=0)
    assert (await reader.connect())[0]

    post = await file_post(blog=approval_blog, by=reporter, headline="Waiting for an editor")
    assert await reader.receive_nothing(timeout=0.2)

    await approve(post, by=editor)

    message = json.loads(await reader.receive_from(timeout=3))
    assert (message["kind"], message["post_id"], message["seq"]) == ("post.published", post.pk, 1)
    assert "Waiting for an editor" in message["html"]
    assert await reader.receive_nothing(timeout=0.2)
    await reader.disconnect()


async def test_sending_back_or_discarding_sends_readers_nothing(approval_blog, reporter, editor):
    reader = connect(approval_blog.slug, after=0)
    assert (await reader.connect())[0]
    returned = await file_post(blog=approval_blog, by=reporter, headline="Sent back")
    discarded = await file_post(blog=approval_blog, by=reporter, headline="Discarded")

    await send_back(returned, by=editor, note="Name the source.")
    await discard(discarded, by=editor)

    assert await reader.receive_nothing(timeout=0.3)
    await reader.disconnect()
