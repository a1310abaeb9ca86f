"""The reader page's live script shows the words the page rendered (LiveBlog.Status's labels,
the connection states), and moves posts in and out of the pinned slot as they change."""

import pytest
from playwright.sync_api import expect

from liveblog import services
from liveblog.models import LiveBlog

from .test_live_updates import assert_not_reloaded, open_reader

pytestmark = pytest.mark.e2e


def test_a_status_change_shows_the_label_of_live_blog_status(live_url, context, blog, editor):
    reader = open_reader(context, live_url, blog.slug)
    status = reader.locator("[data-status]")
    expect(status).to_have_text(LiveBlog.Status.LIVE.label)

    services.set_blog_status(blog, status=LiveBlog.Status.PAUSED, by=editor)

    expect(status).to_have_text(LiveBlog.Status.PAUSED.label)
    expect(status).to_have_class("live__status status status--paused")
    expect(reader.locator("[data-live-root]")).to_have_attribute("data-blog-status", "paused")
    assert_not_reloaded(reader)


def test_the_connection_state_is_shown_in_the_page_words(live_url, context, blog):
    reader = open_reader(context, live_url, blog.slug)
    connection = reader.locator("[data-connection]")
    expect(connection).to_have_text("")

    context.set_offline(True)

    expect(connection).to_have_text("Offline: updates resume when you reconnect")
    context.set_offline(False)
    expect(connection).to_have_text("")


def test_a_pinned_post_moves_to_the_pinned_slot_and_back(live_url, context, blog, editor):
    older = services.create_post(blog=blog, by=editor, headline="Turnout up", body="<p>x</p>")
    newer = services.create_post(blog=blog, by=editor, headline="Exit poll", body="<p>x</p>")
    reader = open_reader(context, live_url, blog.slug)
    pinned = reader.locator("[data-pinned]")
    expect(pinned).to_be_hidden()

    services.pin_post(older, by=editor)

    expect(pinned.locator(f"#post-{older.pk}")).to_be_visible()
    expect(reader.locator("[data-feed] > article")).to_have_count(1)

    services.unpin_post(older, by=editor)

    expect(pinned).to_be_hidden()
    expect(reader.locator("[data-feed] > article")).to_have_count(2)
    ids = reader.locator("[data-feed] > article").evaluate_all("(all) => all.map((a) => a.id)")
    assert ids == [f"post-{newer.pk}", f"post-{older.pk}"]
    assert_not_reloaded(reader)
