"""The readers-and-newsroom issue: every visible post has a permalink,
/live/<slug>/posts/<id>/, the reader page from that post on, described by the post in its
head, cached like the page; anything else there is a 404."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from liveblog.extensions import PostExtension, post_extensions
from liveblog.live.events import render_post_fragment
from liveblog.models import LiveBlog, Post
from liveblog.pages import store as page_store
from tests.factories import ContributorFactory, PostFactory
from tests.liveblog.pages.reading import NIGHT, get_page, many_posts, post_ids

pytestmark = pytest.mark.django_db


def _meta(html: str, attr: str, name: str) -> str:
    match = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)">', html)
    assert match, f"no {name}"
    return match.group(1)


def _permalink(post: Post) -> str:
    return f"/live/{post.blog.slug}/posts/{post.pk}/"


@pytest.fixture
def page_store_on(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"permalinks-{uuid.uuid4().hex}",
        }
    }
    settings.LIVEBLOG_PAGE_STORE_ENTRIES = 500
    page_store.store.clear()
    yield page_store.store
    page_store.store.clear()


def test_permalink_shows_the_page_from_the_post_on_newest_first(client, blog):
    posts = many_posts(blog, 45)
    post = posts[30]

    html = get_page(client, _permalink(post))

    assert post_ids(html) == [p.pk for p in reversed(posts[11:31])]
    assert f'data-focus-post="{post.pk}"' in html
    assert "Back to the latest updates" in html
    assert "data-ws-path" not in html  # the newest posts are not on this page


def test_permalink_oldest_first_shows_the_post_and_newer_ones(client, blog):
    posts = many_posts(blog, 25)
    post = posts[10]

    html = get_page(client, _permalink(post), {"order": "oldest"})

    assert post_ids(html) == [p.pk for p in posts[10:]]
    assert 'data-ws-path="/ws/live/ge2017/"' in html  # the newest posts are on this page


def test_permalink_of_the_pinned_post_is_the_first_page(client, blog):
    posts = many_posts(blog, 3)
    pinned = PostFactory(blog=blog, published_at=NIGHT - timedelta(days=1), is_pinned=True)

    html = get_page(client, _permalink(pinned))

    assert post_ids(html) == [pinned.pk, *[p.pk for p in reversed(posts)]]
    assert f'data-focus-post="{pinned.pk}"' in html


def test_permalink_head_describes_the_post(client, blog):
    PostFactory(blog=blog, headline="Another update")
    post = PostFactory(
        blog=blog,
        headline="Conservatives hold Milton Keynes South",
        body="<p>Iain Stewart (Con) holds <b>Milton Keynes South</b>.</p>",
        contributors=[ContributorFactory(name="Alex Pope")],
    )

    html = get_page(client, _permalink(post))

    url = f"http://testserver/live/ge2017/posts/{post.pk}/"
    assert _meta(html, "property", "og:title") == "Conservatives hold Milton Keynes South"
    assert _meta(html, "property", "og:description") == (
        "Iain Stewart (Con) holds Milton Keynes South."
    )
    assert _meta(html, "property", "og:url") == url
    assert _meta(html, "name", "twitter:title") == "Conservatives hold Milton Keynes South"
    assert f'<link rel="canonical" href="{url}">' in html
    assert "<title>Conservatives hold Milton Keynes South – General election" in html


def test_every_post_links_to_its_permalink_from_its_time(client, blog):
    post = PostFactory(blog=blog)

    html = get_page(client, "/live/ge2017/")

    link = f'<a class="post__permalink" href="/live/ge2017/posts/{post.pk}/" data-permalink>'
    assert link in html
    assert f'href="/live/ge2017/posts/{post.pk}/"' in render_post_fragment(post)


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": Post.Status.DRAFT, "published_at": None},
        {"status": Post.Status.SUBMITTED, "published_at": None, "submitted_at": NIGHT},
        {"status": Post.Status.SCHEDULED, "published_at": NIGHT + timedelta(days=36500)},
        {"deleted_at": NIGHT},
        {"published_at": NIGHT + timedelta(days=36500)},  # published, time not reached
    ],
    ids=["draft", "submitted", "scheduled", "deleted", "future"],
)
def test_permalink_of_a_post_readers_cannot_see_is_a_404(client, blog, hidden):
    post = PostFactory(blog=blog, **hidden)

    response = client.get(_permalink(post))

    assert response.status_code == 404


def test_permalink_of_another_blogs_post_is_a_404(client, blog):
    other = LiveBlog.objects.create(title="Local elections", slug="local", time_zone="UTC")
    post = PostFactory(blog=other)

    response = client.get(f"/live/ge2017/posts/{post.pk}/")

    assert client.get(_permalink(post)).status_code == 200
    assert response.status_code == 404


@pytest.mark.parametrize("pk", [0, 2**31, 2**63 - 1, 2**63, 2**64, 10**30, int("9" * 400)], ids=str)
def test_permalink_of_an_id_no_post_has_is_a_404(client, blog, pk):
    PostFactory(blog=blog)

    response = client.get(f"/live/ge2017/posts/{pk}/")

    assert response.status_code == 404


def test_permalink_of_an_unknown_blog_is_a_404(client, db):
    assert client.get("/live/nope/posts/1/").status_code == 404


def test_permalink_is_cached_per_seq_and_its_order(client, blog, page_store_on):
    post = PostFactory(blog=blog)
    first = client.get(_permalink(post))

    again = client.get(_permalink(post))
    junk = client.get(_permalink(post), {"order": "junk"})
    oldest = client.get(_permalink(post), {"order": "oldest"})

    assert again.content == junk.content == first.content
    assert oldest.status_code == 200
    assert len(page_store_on) == 2


def test_a_missing_post_is_not_kept_in_the_page_store(client, blog, page_store_on):
    PostFactory(blog=blog)

    assert client.get("/live/ge2017/posts/999999/").status_code == 404
    assert len(page_store_on) == 0


@pytest.mark.parametrize("count", [1, 30])
def test_permalink_runs_the_same_queries_however_many_posts(
    client, blog, django_assert_num_queries, count
):
    posts = many_posts(blog, count)
    PostFactory(blog=blog, is_key_event=True, published_at=NIGHT - timedelta(days=1))

    # blog; the post; the page; its bylines, images, embeds and result cards; key events
    with django_assert_num_queries(8):
        response = client.get(_permalink(posts[0]))

    assert response.status_code == 200


# What a post carries for screen readers ------------------------------------------------------


@pytest.fixture
def announcing_extension():
    extension = PostExtension(
        name="test-announcement",
        prefetch=lambda: "contributors",
        template="liveblog/_post_media.html",
        announcement=lambda post: f"Result: {post.headline}" if post.is_key_event else "",
    )
    post_extensions.register(extension)
    yield extension
    post_extensions._by_name.pop(extension.name)


def test_a_post_carries_the_announcement_an_extension_gives_it(blog, announcing_extension):
    post = PostFactory(blog=blog, headline="Conservatives hold Milton Keynes South")
    Post.objects.filter(pk=post.pk).update(is_key_event=True)
    post = Post.objects.with_bylines().get(pk=post.pk)

    html = render_post_fragment(post)

    assert 'data-announce="Result: Conservatives hold Milton Keynes South"' in html


def test_a_post_without_an_announcement_carries_no_attribute(blog, announcing_extension):
    post = PostFactory(blog=blog, published_at=timezone.now())

    assert "data-announce" not in render_post_fragment(post)
