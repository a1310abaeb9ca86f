import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from liveblog import services
from liveblog.models import Post
from tests.factories import ContributorFactory, PostFactory

pytestmark = pytest.mark.django_db

NIGHT = datetime(2017, 6, 9, 1, 0, tzinfo=UTC)


def _post_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-post-id="(\d+)"', html)]


def _feed(html: str) -> str:
    return html.split('class="feed"', 1)[1]


def _older_link(html: str) -> str:
    match = re.search(r'<a rel="next" href="([^"]+)">Show older updates</a>', html)
    assert match, "no Show older updates link"
    return match.group(1).replace("&amp;", "&")


def _get(client, blog, query: str = "") -> str:
    """The page at `query` (a path, or a query string for the blog's page)."""
    response = client.get(query if query.startswith("/") else blog.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def _many_posts(blog, count: int) -> list[Post]:
    """`count` posts a minute apart, two at each minute (ties broken by id), oldest first."""
    return [
        PostFactory(blog=blog, published_at=NIGHT + timedelta(minutes=n // 2)) for n in range(count)
    ]


# Order, labels and bylines ------------------------------------------------------------------


def test_posts_are_shown_newest_first(client, blog):
    oldest = PostFactory(blog=blog, published_at=NIGHT)
    newest = PostFactory(blog=blog, published_at=NIGHT + timedelta(hours=2))
    middle = PostFactory(blog=blog, published_at=NIGHT + timedelta(hours=1))

    html = _get(client, blog)

    assert _post_ids(html) == [newest.pk, middle.pk, oldest.pk]


def test_pinned_post_is_shown_on_top_marked_pinned_and_only_once(client, blog):
    pinned = PostFactory(blog=blog, published_at=NIGHT, is_pinned=True, headline="Read this")
    newer = PostFactory(blog=blog, published_at=NIGHT + timedelta(hours=1))

    html = _get(client, blog)

    assert _post_ids(html) == [pinned.pk, newer.pk]
    pinned_section = html.split('class="pinned"', 1)[1].split("</section>", 1)[0]
    assert f'id="post-{pinned.pk}"' in pinned_section
    assert '<p class="post__pinned">Pinned</p>' in pinned_section
    assert f'id="post-{pinned.pk}"' not in _feed(html)


def test_breaking_post_carries_the_breaking_label(client, blog):
    PostFactory(blog=blog, is_breaking=True, headline="Conservatives hold MK South")

    html = _get(client, blog)

    assert '<span class="post__breaking">Breaking</span> Conservatives hold MK South' in html


def test_contributors_are_shown_with_their_outlet(client, blog):
    luke = ContributorFactory(name="Luke Ashmead", role="BBC Three Counties Radio sport")
    katy = ContributorFactory(name="Katy Lewis", role="BBC Local Live")
    PostFactory(blog=blog, contributors=[luke, katy])

    html = _get(client, blog)

    assert (
        '<span class="byline__name">Luke Ashmead</span> '
        '<span class="byline__role">BBC Three Counties Radio sport</span>'
    ) in html
    assert '<span class="byline__name">Katy Lewis</span>' in html


# Times and days in the blog's zone ----------------------------------------------------------


def test_summer_time_is_shown_as_bst_with_its_offset(client, blog):
    PostFactory(blog=blog, published_at=datetime(2017, 6, 9, 8, 51, tzinfo=UTC))

    html = _get(client, blog)

    assert '<time datetime="2017-06-09T09:51:00+01:00">09:51 BST</time>' in html


def test_winter_time_is_shown_as_gmt_with_a_zero_offset(client, blog):
    PostFactory(blog=blog, published_at=datetime(2017, 12, 9, 9, 51, tzinfo=UTC))

    html = _get(client, blog)

    assert '<time datetime="2017-12-09T09:51:00+00:00">09:51 GMT</time>' in html


def test_day_headings_follow_the_blogs_time_zone(client, blog):
    PostFactory(blog=blog, published_at=datetime(2017, 6, 6, 23, 30, tzinfo=UTC))
    PostFactory(blog=blog, published_at=datetime(2017, 6, 8, 12, 0, tzinfo=UTC))

    html = _get(client, blog)

    headings = re.findall(r'<h2 class="day-heading"[^>]*>([^<]+)</h2>', html)
    assert headings == ["Updates for Thursday, 8 June 2017", "Updates for Wednesday, 7 June 2017"]


def test_day_headings_use_another_zone_when_the_blog_has_one(client, blog):
    blog.time_zone = "America/New_York"
    blog.save()
    PostFactory(blog=blog, published_at=datetime(2017, 6, 7, 2, 30, tzinfo=UTC))

    html = _get(client, blog)

    assert "Updates for Tuesday, 6 June 2017" in html
    assert '<time datetime="2017-06-06T22:30:00-04:00">22:30 EDT</time>' in html


# What readers never see ---------------------------------------------------------------------


def test_drafts_scheduled_and_deleted_posts_never_appear(client, editor, blog):
    future = timezone.now() + timedelta(hours=1)
    shown = services.create_post(blog=blog, by=editor, headline="Shown")
    services.create_post(blog=blog, by=editor, headline="Draft", status=Post.Status.DRAFT)
    services.create_post(
        blog=blog,
        by=editor,
        headline="Scheduled",
        status=Post.Status.SCHEDULED,
        published_at=future,
    )
    services.create_post(blog=blog, by=editor, headline="Published early", published_at=future)
    deleted = services.create_post(blog=blog, by=editor, headline="Deleted", is_pinned=True)
    services.delete_post(deleted, by=editor)

    html = _get(client, blog)

    assert _post_ids(html) == [shown.pk]
    for headline in ("Draft", "Scheduled", "Published early", "Deleted"):
        assert headline not in html


def test_published_post_with_a_future_time_written_directly_stays_hidden(client, blog):
    PostFactory(blog=blog, published_at=timezone.now() + timedelta(minutes=5), headline="Early")

    html = _get(client, blog)

    assert "Early" not in html
    assert "No updates yet" in html


def test_unknown_blog_shows_the_sites_404_page(client, db):
    response = client.get("/live/no-such-blog/")

    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    assert "<h1>Page not found</h1>" in response.content.decode()


# Pagination ---------------------------------------------------------------------------------


def test_first_page_shows_twenty_posts_and_a_link_to_older_ones(client, blog):
    posts = _many_posts(blog, 25)

    html = _get(client, blog)

    newest_first = [post.pk for post in reversed(posts)]
    assert _post_ids(html) == newest_first[:20]
    assert _older_link(html).startswith("/live/ge2017/?before=")


def test_older_updates_page_shows_the_rest_without_gap_or_overlap(client, blog):
    posts = _many_posts(blog, 25)
    first = _get(client, blog)

    second = _get(client, blog, _older_link(first))

    newest_first = [post.pk for post in reversed(posts)]
    assert _post_ids(first) + _post_ids(second) == newest_first
    assert "Show older updates" not in second
    assert "Back to the latest updates" in second


@pytest.mark.parametrize("cursor", ["nonsense", "12-abc", "99999999999999999999999-1", "-"])
def test_invalid_cursor_is_a_bad_request(client, blog, cursor):
    PostFactory(blog=blog)

    response = client.get(blog.get_absolute_url(), {"before": cursor})

    assert response.status_code == 400
    assert "That link to older updates is not valid." in response.content.decode()


def test_empty_cursor_shows_the_first_page_with_the_pinned_post(client, blog):
    pinned = PostFactory(blog=blog, is_pinned=True)

    html = _get(client, blog, "?before=")

    assert _post_ids(html) == [pinned.pk]


@pytest.mark.parametrize("count", [1, 30])
def test_page_runs_the_same_queries_however_many_posts(
    client, blog, django_assert_num_queries, count
):
    contributors = ContributorFactory.create_batch(3)
    _many_posts(blog, count)
    for post in Post.objects.all():
        post.contributors.set(contributors)
    PostFactory(blog=blog, is_pinned=True, is_key_event=True, contributors=contributors)

    # blog; pinned post and feed page in one query; their bylines, images, embeds and
    # result cards; key events
    with django_assert_num_queries(7):
        response = client.get(blog.get_absolute_url())

    assert response.status_code == 200
    assert len(_post_ids(response.content.decode())) == min(count, 20) + 1


# Key events ---------------------------------------------------------------------------------


def _key_event_links(html: str) -> list[str]:
    nav = html.split('class="key-events"', 1)[1].split("</nav>", 1)[0]
    return [href.replace("&amp;", "&") for href in re.findall(r'<a href="([^"]+)"', nav)]


def test_key_events_link_to_their_posts_on_the_page(client, blog):
    key = PostFactory(blog=blog, is_key_event=True, headline="Labour gain Bedford")
    PostFactory(blog=blog)

    html = _get(client, blog)

    assert _key_event_links(html) == [f"#post-{key.pk}"]
    assert f'id="post-{key.pk}"' in html
    assert "Labour gain Bedford</a>" in html


def test_key_event_on_a_later_page_links_to_its_permalink(client, blog):
    posts = _many_posts(blog, 25)
    old_key = posts[1]  # shares its minute with posts[0]
    Post.objects.filter(pk=old_key.pk).update(is_key_event=True)

    html = _get(client, blog)

    (link,) = _key_event_links(html)
    path, anchor = link.split("#")
    assert anchor == f"post-{old_key.pk}"
    assert path == f"/live/ge2017/posts/{old_key.pk}/"
    assert old_key.pk not in _post_ids(html)
    linked_page = _get(client, blog, path)
    assert _post_ids(linked_page)[0] == old_key.pk


def test_key_event_on_the_first_page_is_linked_from_older_pages(client, blog):
    posts = _many_posts(blog, 25)
    new_key = posts[-1]
    Post.objects.filter(pk=new_key.pk).update(is_key_event=True)
    older = _older_link(_get(client, blog))

    html = _get(client, blog, older)

    (link,) = _key_event_links(html)
    path, anchor = link.split("#")
    assert anchor == f"post-{new_key.pk}"
    linked_page = _get(client, blog, path)
    assert new_key.pk in _post_ids(linked_page)


def test_pinned_key_event_is_linked_to_the_first_page_from_older_pages(client, blog):
    posts = _many_posts(blog, 25)
    Post.objects.filter(pk=posts[0].pk).update(is_key_event=True, is_pinned=True)
    older = _older_link(_get(client, blog))

    html = _get(client, blog, older)

    pinned = posts[0].pk
    assert _key_event_links(html) == [f"/live/ge2017/posts/{pinned}/#post-{pinned}"]
    assert _post_ids(_get(client, blog))[0] == posts[0].pk


# Accessible markup --------------------------------------------------------------------------


def test_page_has_a_language_one_h1_and_a_main_landmark(client, blog):
    PostFactory(blog=blog, is_key_event=True, is_pinned=True)
    PostFactory(blog=blog)

    html = _get(client, blog)

    assert '<html lang="en-GB">' in html
    assert html.count("<h1") == 1
    assert html.count("<main") == 1
    assert 'role="banner"' in html and 'role="contentinfo"' in html
