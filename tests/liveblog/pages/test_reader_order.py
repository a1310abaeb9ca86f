"""The readers-and-newsroom issue: the reader page oldest first (?order=oldest), without
JavaScript, and what a junk order does (the default page, no copy of its own)."""

import re
import uuid
from datetime import timedelta

import pytest

from liveblog.models import Post
from liveblog.pages import store as page_store
from tests.factories import PostFactory
from tests.liveblog.pages.reading import NIGHT, get_page, many_posts, post_ids

pytestmark = pytest.mark.django_db

PAGE = "/live/ge2017/"


def _link(html: str, text: str) -> str:
    match = re.search(rf'<a (?:rel="next" )?href="([^"]+)">{text}</a>', html)
    assert match, f"no {text} link"
    return match.group(1).replace("&amp;", "&")


@pytest.fixture
def page_store_on(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"order-{uuid.uuid4().hex}",
        }
    }
    settings.LIVEBLOG_PAGE_STORE_ENTRIES = 500
    page_store.store.clear()
    yield page_store.store
    page_store.store.clear()


def test_oldest_first_shows_the_first_twenty_posts_in_order(client, blog):
    posts = many_posts(blog, 25)

    html = get_page(client, PAGE, {"order": "oldest"})

    assert post_ids(html) == [p.pk for p in posts[:20]]
    assert 'data-order="oldest"' in html
    assert _link(html, "Show newer updates").startswith("/live/ge2017/?order=oldest&after=")
    assert "Show older updates" not in html


def test_newer_updates_pages_walk_every_post_once_oldest_first(client, blog):
    posts = many_posts(blog, 45)
    seen: list[int] = []
    html = get_page(client, PAGE, {"order": "oldest"})
    seen += post_ids(html)

    while "Show newer updates" in html:
        html = get_page(client, _link(html, "Show newer updates"))
        seen += post_ids(html)
        assert _link(html, "Back to the first updates") == "/live/ge2017/?order=oldest"

    assert seen == [p.pk for p in posts]


def test_oldest_first_page_follows_live_updates_only_where_the_newest_posts_are(client, blog):
    many_posts(blog, 25)

    first = get_page(client, PAGE, {"order": "oldest"})
    last = get_page(client, _link(first, "Show newer updates"))

    assert "data-ws-path" not in first
    assert 'data-ws-path="/ws/live/ge2017/"' in last


def test_oldest_first_with_few_posts_is_live_and_shows_the_pinned_post_on_top(client, blog):
    older = PostFactory(blog=blog, published_at=NIGHT)
    newer = PostFactory(blog=blog, published_at=NIGHT + timedelta(hours=1))
    pinned = PostFactory(blog=blog, published_at=NIGHT + timedelta(hours=2), is_pinned=True)

    html = get_page(client, PAGE, {"order": "oldest"})

    assert post_ids(html) == [pinned.pk, older.pk, newer.pk]
    assert 'data-ws-path="/ws/live/ge2017/"' in html


def test_order_links_switch_and_mark_the_current_order(client, blog):
    PostFactory(blog=blog)

    newest = get_page(client, PAGE)
    oldest = get_page(client, PAGE, {"order": "oldest"})

    assert (
        '<a href="/live/ge2017/" data-order-choice="newest" aria-current="true">Newest first</a>'
        in newest
    )
    assert '<a href="/live/ge2017/?order=oldest" data-order-choice="oldest">' in newest
    assert (
        '<a href="/live/ge2017/?order=oldest" data-order-choice="oldest" aria-current="true">'
        in oldest
    )


def test_key_event_off_the_page_links_to_its_permalink_in_the_readers_order(client, blog):
    posts = many_posts(blog, 25)
    late_key = posts[-1]
    Post.objects.filter(pk=late_key.pk).update(is_key_event=True)

    html = get_page(client, PAGE, {"order": "oldest"})

    nav = html.split('class="key-events"', 1)[1].split("</nav>", 1)[0]
    link = re.search(r'<a href="([^"]+)"', nav).group(1).replace("&amp;", "&")
    assert link == f"/live/ge2017/posts/{late_key.pk}/?order=oldest#post-{late_key.pk}"
    assert post_ids(get_page(client, link.split("#")[0]))[0] == late_key.pk


@pytest.mark.parametrize("junk", ["junk", "OLDEST", "newest", "", " oldest", "9" * 300])
def test_an_unknown_order_is_newest_first(client, blog, junk):
    posts = many_posts(blog, 3)

    html = get_page(client, PAGE, {"order": junk})

    assert post_ids(html) == [p.pk for p in reversed(posts)]
    assert 'data-order="newest"' in html


def test_an_unknown_order_makes_no_copy_of_its_own(client, blog, page_store_on):
    PostFactory(blog=blog)
    plain = client.get(PAGE)

    junk = client.get(PAGE, {"order": "junk"})

    assert junk.status_code == 200
    assert junk.content == plain.content
    assert len(page_store_on) == 1


def test_oldest_first_is_a_copy_of_its_own(client, blog, page_store_on):
    PostFactory(blog=blog)
    client.get(PAGE)

    oldest = client.get(PAGE, {"order": "oldest"})

    assert 'data-order="oldest"' in oldest.content.decode()
    assert len(page_store_on) == 2


@pytest.mark.parametrize(
    "query",
    [
        {"after": "1496969460000000-41"},  # an oldest-first cursor on the newest-first page
        {"order": "oldest", "before": "1496969460000000-41"},
        {"order": "junk", "after": "1496969460000000-41"},
        {"order": "oldest", "after": "garbage"},
        {"order": "oldest", "after": "9" * 400},
    ],
)
def test_a_cursor_that_does_not_fit_the_order_is_a_bad_request_and_not_kept(
    client, blog, page_store_on, query
):
    PostFactory(blog=blog)

    response = client.get(PAGE, query)

    assert response.status_code == 400
    assert "updates is not valid" in response.content.decode()
    assert len(page_store_on) == 0
