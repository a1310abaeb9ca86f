"""Issue 14, item 13: cursors round-trip every time a post can have, and junk is a clear
400 (API) or a 400 page (reader page), never a 500."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from liveblog import selectors, services
from liveblog.cursors import MAX_ID, InvalidCursor, decode_cursor, encode_position
from liveblog.models import Post
from liveblog.services.posts import MSG_TIME_OUT_OF_RANGE
from tests.factories import PostFactory
from tests.liveblog.api.conftest import editor_api  # noqa: F401

BOUNDED = settings(max_examples=200, deadline=None)
YEAR_ONE = datetime(1, 1, 1, 12, 0, tzinfo=UTC)


@BOUNDED
@given(when=st.datetimes(timezones=st.just(UTC)), pk=st.integers(min_value=0, max_value=MAX_ID))
def test_every_position_a_post_can_have_round_trips(when, pk):
    assert decode_cursor(encode_position(when, pk)) == (when, pk)


@BOUNDED
@given(junk=st.text(max_size=60))
def test_junk_text_is_invalid_cursor_or_a_position_never_another_error(junk):
    try:
        when, pk = decode_cursor(junk)
    except InvalidCursor:
        return
    assert when.tzinfo is UTC
    assert 0 <= pk <= MAX_ID


@BOUNDED
@given(micros=st.integers(), pk=st.integers())
def test_numbers_out_of_range_are_invalid_cursors(micros, pk):
    try:
        when, got_pk = decode_cursor(f"{micros}-{pk}")
    except InvalidCursor:
        return
    assert (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) == micros
    assert got_pk == pk


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "-",
        "1-",
        "-1",
        "1--1",
        "+1-1",
        " 1-1",
        "1_000-1",
        "١٢-٣",  # Arabic-Indic digits: int() takes them, a cursor does not
        "9" * 5000 + "-1",
        "253402300800000000-1",  # one µs past datetime.max
        "-62135596800000001-1",  # one µs before datetime.min
        f"1-{MAX_ID + 1}",
        "1-1-1",
        "1-1\n",
        None,
    ],
)
def test_malformed_cursors_are_invalid(junk):
    with pytest.raises(InvalidCursor):
        decode_cursor(junk)


def test_cursor_of_a_post_in_year_one_is_the_one_from_the_issue():
    assert encode_position(datetime(1, 1, 1, 0, 30, tzinfo=UTC), 40) == "-62135595000000000-40"
    assert decode_cursor("-62135595000000000-40") == (datetime(1, 1, 1, 0, 30, tzinfo=UTC), 40)


@pytest.mark.django_db
def test_reader_page_follows_the_link_the_api_gives_for_a_post_in_year_one(client, blog):
    old = PostFactory(blog=blog, headline="Domesday", published_at=YEAR_ONE)
    for n in range(25):
        PostFactory(blog=blog, published_at=datetime(2017, 6, 9, tzinfo=UTC) + timedelta(minutes=n))

    post_url = client.get(f"/api/v1/blogs/ge2017/posts/{old.pk}/").json()["url"]
    response = client.get(post_url)

    assert response.status_code == 200
    assert "Domesday" in response.content.decode()


@pytest.mark.django_db
def test_api_pages_through_posts_before_1970(client, blog):
    for year in (1, 1066, 1969, 2017):
        PostFactory(blog=blog, headline=f"In {year}", published_at=datetime(year, 6, 9, tzinfo=UTC))

    headlines, url = [], "/api/v1/blogs/ge2017/posts/?limit=1"
    while url:
        answer = client.get(url)
        assert answer.status_code == 200
        headlines += [p["headline"] for p in answer.json()["results"]]
        url = answer.json()["next"]

    assert headlines == ["In 2017", "In 1969", "In 1066", "In 1"]


@pytest.mark.django_db
def test_reader_page_pages_through_posts_before_1970(client, blog):
    for n in range(22):
        PostFactory(blog=blog, published_at=datetime(1900, 1, 1, tzinfo=UTC) + timedelta(days=n))

    first = selectors.list_feed_page(blog)
    response = client.get("/live/ge2017/", {"before": first.next_cursor})

    assert first.next_cursor.startswith("-")
    assert response.status_code == 200
    assert response.content.decode().count('class="post') >= 2


@pytest.mark.django_db
@pytest.mark.parametrize("junk", ["garbage", "1--1", "9" * 400, "-62135596800000001-1"])
def test_junk_cursor_is_a_400_with_a_message_on_the_api(client, blog, junk):
    response = client.get("/api/v1/blogs/ge2017/posts/", {"cursor": junk})

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "cursor": ["This cursor is not valid; use the `next` link of a previous page."]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("junk", ["garbage", "1--1", "9" * 400, "-62135596800000001-1"])
def test_junk_cursor_is_a_400_page_on_the_reader_page(client, blog, junk):
    response = client.get("/live/ge2017/", {"before": junk})

    assert response.status_code == 400
    assert "That link to older updates is not valid." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00Z", "0001-01-01T23:59:59+14:00", "9999-12-31T23:59:59Z"]
)
def test_api_refuses_a_time_too_near_the_ends_of_the_calendar_to_show_in_every_zone(
    editor_api,  # noqa: F811
    blog,
    when,
):
    # 0001-01-01 00:00 UTC is still 31 December of year 0 in London: no page could show it.
    response = editor_api.post(
        "/api/v1/blogs/ge2017/posts/create/",
        {"headline": "Typo", "published_at": when},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["published_at"]
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_services_refuse_a_time_too_near_the_ends_of_the_calendar(editor, blog):
    with pytest.raises(ValidationError) as refused:
        services.create_post(
            blog=blog, by=editor, headline="Typo", published_at=datetime(1, 1, 1, tzinfo=UTC)
        )

    assert refused.value.message_dict == {"published_at": [MSG_TIME_OUT_OF_RANGE]}
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_a_post_filed_for_noon_in_year_one_shows_on_the_reader_page(
    editor_api,  # noqa: F811
    client,
    blog,
):
    response = editor_api.post(
        "/api/v1/blogs/ge2017/posts/create/",
        {"headline": "Domesday", "published_at": "0001-01-02T12:00:00Z"},
        format="json",
    )

    assert response.status_code == 201
    assert client.get(response.json()["url"]).status_code == 200
