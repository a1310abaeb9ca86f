from datetime import UTC, datetime, timedelta

import pytest

from liveblog import services
from liveblog.api.reads import MSG_AFTER_SEQ_AND_CURSOR, MSG_CURSOR, MSG_TOO_FAR_BEHIND
from liveblog.models import LiveBlog, Post
from tests.factories import ContributorFactory, PostFactory
from tests.liveblog.api.conftest import api

pytestmark = pytest.mark.django_db

NIGHT = datetime(2017, 6, 9, 1, 0, tzinfo=UTC)


def _ids(response) -> list[int]:
    return [post["id"] for post in response.json()["results"]]


def _many(blog, count: int) -> list[Post]:
    """`count` posts two to a minute (ties broken by id), oldest first."""
    return [
        PostFactory(blog=blog, published_at=NIGHT + timedelta(minutes=n // 2)) for n in range(count)
    ]


# Blogs ----------------------------------------------------------------------------------------


def test_blog_list_shows_every_blog_with_its_seq(anon, blog, reporter_post):
    LiveBlog.objects.create(title="Budget 2017", slug="budget")

    response = anon.get(api("blogs/"))

    assert response.status_code == 200
    rows = {row["slug"]: row for row in response.json()["results"]}
    assert set(rows) == {"ge2017", "budget"}
    assert rows["ge2017"]["last_seq"] == 1
    assert rows["ge2017"]["url"] == "http://testserver/live/ge2017/"


def test_blog_detail_has_title_status_and_seq(anon, blog):
    response = anon.get(api("blogs/ge2017/"))

    assert response.status_code == 200
    assert response.json()["title"] == "General election 2017: live results"
    assert response.json()["status"] == "live"
    assert response.json()["last_seq"] == 0


def test_unknown_blog_is_404_with_a_message(anon, db):
    response = anon.get(api("blogs/nope/posts/"))

    assert response.status_code == 404
    assert response.json()["detail"] == "No such live blog."


# Posts: pages -----------------------------------------------------------------------------------


def test_posts_are_published_only_newest_first(anon, blog, reporter, reporter_draft):
    old = PostFactory(blog=blog, published_at=NIGHT)
    new = PostFactory(blog=blog, published_at=NIGHT + timedelta(hours=1))
    PostFactory(blog=blog, status=Post.Status.SCHEDULED, published_at=NIGHT + timedelta(days=900))
    PostFactory(blog=blog, deleted_at=NIGHT)

    response = anon.get(api("blogs/ge2017/posts/"))

    assert response.status_code == 200
    assert _ids(response) == [new.pk, old.pk]
    assert response.json()["next"] is None
    assert response.json()["deleted"] == []


def test_post_carries_bylines_flags_version_and_reader_link(anon, blog):
    luke = ContributorFactory(name="Luke Ashmead", role="BBC Three Counties Radio")
    post = PostFactory(blog=blog, contributors=[luke], is_key_event=True, headline="Lab gain")

    row = anon.get(api("blogs/ge2017/posts/")).json()["results"][0]

    assert row["headline"] == "Lab gain"
    assert row["contributors"] == [
        {"id": luke.pk, "name": "Luke Ashmead", "role": "BBC Three Counties Radio"}
    ]
    assert row["is_key_event"] is True
    assert row["version"] == 1
    assert row["url"] == f"http://testserver/live/ge2017/posts/{post.pk}/"


def test_cursor_pages_walk_every_post_once(anon, blog):
    posts = _many(blog, 7)
    seen: list[int] = []
    url = api("blogs/ge2017/posts/?limit=3")

    while url:
        response = anon.get(url)
        assert response.status_code == 200
        seen += _ids(response)
        url = response.json()["next"]

    assert seen == [p.pk for p in sorted(posts, key=lambda p: (p.published_at, p.pk), reverse=True)]


def test_bad_cursor_is_400_naming_the_field(anon, blog):
    response = anon.get(api("blogs/ge2017/posts/"), {"cursor": "yesterday"})

    assert response.status_code == 400
    assert response.json()["fields"] == {"cursor": [MSG_CURSOR]}


def test_limit_out_of_range_is_400(anon, blog):
    response = anon.get(api("blogs/ge2017/posts/"), {"limit": 1000})

    assert response.status_code == 400
    assert "limit" in response.json()["fields"]


@pytest.mark.parametrize("count", [1, 30])
def test_post_list_runs_the_same_queries_however_many_posts(
    anon, blog, django_assert_num_queries, count
):
    contributors = ContributorFactory.create_batch(2)
    for post in _many(blog, count):
        post.contributors.set(contributors)

    # blog; posts; bylines, images, embeds, result cards
    with django_assert_num_queries(6):
        response = anon.get(api("blogs/ge2017/posts/"))

    assert len(_ids(response)) == min(count, 20)


# Posts: changes after a seq ---------------------------------------------------------------------


def test_after_seq_returns_changed_posts_deleted_ids_and_the_new_seq(
    anon, blog, reporter, reporter_post
):
    kept = services.create_post(blog=blog, by=reporter, headline="Turnout up")
    seq = LiveBlog.objects.get(pk=blog.pk).last_seq  # 2
    fresh = services.create_post(blog=blog, by=reporter, headline="Recount in Bedford")
    services.update_post(kept, by=reporter, expected_version=kept.version, headline="Turnout 69%")
    services.delete_post(reporter_post, by=reporter)

    response = anon.get(api("blogs/ge2017/posts/"), {"after_seq": seq})

    assert response.status_code == 200
    body = response.json()
    assert body["last_seq"] == seq + 3
    assert _ids(response) == [fresh.pk, kept.pk] or _ids(response) == [kept.pk, fresh.pk]
    assert {p["headline"] for p in body["results"]} == {"Recount in Bedford", "Turnout 69%"}
    assert body["deleted"] == [reporter_post.pk]


def test_after_seq_at_the_latest_seq_is_empty(anon, blog, reporter_post):
    response = anon.get(api("blogs/ge2017/posts/"), {"after_seq": 1})

    assert response.json() == {"last_seq": 1, "results": [], "next": None, "deleted": []}


def test_after_seq_lists_a_draft_that_was_unpublished_as_deleted(
    anon, blog, reporter, reporter_post
):
    services.update_post(
        reporter_post, by=reporter, expected_version=reporter_post.version, status="draft"
    )

    response = anon.get(api("blogs/ge2017/posts/"), {"after_seq": 1})

    assert response.json()["deleted"] == [reporter_post.pk]
    assert response.json()["results"] == []


def test_after_seq_ahead_of_the_log_is_410_with_the_current_seq(anon, blog, reporter_post):
    response = anon.get(api("blogs/ge2017/posts/"), {"after_seq": 99})

    assert response.status_code == 410
    assert response.json() == {
        "detail": MSG_TOO_FAR_BEHIND,
        "code": "too_far_behind",
        "last_seq": 1,
    }


def test_after_seq_too_far_behind_is_410(anon, blog, reporter, settings, monkeypatch):
    monkeypatch.setattr("liveblog.api.reads.MAX_CHANGES", 2)
    for n in range(3):
        services.create_post(blog=blog, by=reporter, headline=f"Update {n}")

    response = anon.get(api("blogs/ge2017/posts/"), {"after_seq": 0})

    assert response.status_code == 410


def test_after_seq_with_a_cursor_is_400(anon, blog):
    response = anon.get(api("blogs/ge2017/posts/"), {"after_seq": 0, "cursor": "1-1"})

    assert response.status_code == 400
    assert response.json()["detail"] == MSG_AFTER_SEQ_AND_CURSOR


@pytest.mark.parametrize("count", [1, 10])
def test_after_seq_runs_the_same_queries_however_many_changes(
    anon, blog, reporter, django_assert_num_queries, count
):
    for n in range(count):
        services.create_post(blog=blog, by=reporter, headline=f"Update {n}")

    # blog; events; posts; bylines, images, embeds, result cards
    with django_assert_num_queries(7):
        response = anon.get(api("blogs/ge2017/posts/"), {"after_seq": 0})

    assert len(_ids(response)) == count


# One post ---------------------------------------------------------------------------------------


def test_published_post_is_public(anon, blog, reporter_post):
    response = anon.get(api(f"blogs/ge2017/posts/{reporter_post.pk}/"))

    assert response.status_code == 200
    assert response.json()["headline"] == "Counting under way in Luton"


def test_a_draft_is_404_for_anonymous_and_other_reporters(anon, other_reporter_api, reporter_draft):
    for client in (anon, other_reporter_api):
        response = client.get(api(f"blogs/ge2017/posts/{reporter_draft.pk}/"))
        assert response.status_code == 404
        assert response.json() == {"detail": "No such post.", "code": "not_found"}


def test_a_draft_is_shown_to_its_author_and_to_editors(reporter_api, editor_api, reporter_draft):
    for client in (reporter_api, editor_api):
        response = client.get(api(f"blogs/ge2017/posts/{reporter_draft.pk}/"))
        assert response.status_code == 200
        assert response.json()["status"] == "draft"
        assert response.json()["url"] is None


def test_post_of_another_blog_is_404(anon, reporter_post):
    LiveBlog.objects.create(title="Budget", slug="budget")

    response = anon.get(api(f"blogs/budget/posts/{reporter_post.pk}/"))

    assert response.status_code == 404


# Key events ------------------------------------------------------------------------------------


def test_key_events_newest_first(anon, blog):
    first = PostFactory(blog=blog, is_key_event=True, published_at=NIGHT, headline="Polls close")
    PostFactory(blog=blog, published_at=NIGHT + timedelta(minutes=5))
    second = PostFactory(
        blog=blog, is_key_event=True, published_at=NIGHT + timedelta(hours=1), headline="Exit poll"
    )

    response = anon.get(api("blogs/ge2017/key-events/"))

    assert response.status_code == 200
    assert [(e["id"], e["headline"]) for e in response.json()["results"]] == [
        (second.pk, "Exit poll"),
        (first.pk, "Polls close"),
    ]
