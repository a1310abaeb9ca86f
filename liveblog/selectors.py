"""Reads for the reader page (and later the feed, the API and catch-up)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from .models import LiveBlog, LiveEvent, Post

PAGE_SIZE = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class FeedPage:
    pinned: Post | None
    posts: list[Post]
    next_cursor: str | None


def encode_cursor(post: Post) -> str:
    """An opaque position in the feed: the post's time (µs since epoch) and id."""
    assert post.published_at is not None
    micros = (post.published_at - _EPOCH) // _MICROSECOND
    return f"{micros}-{post.pk}"


def encode_cursor_including(post: Post) -> str:
    """A `before` cursor whose page starts with `post` (the position just after it)."""
    assert post.published_at is not None
    micros = (post.published_at - _EPOCH) // _MICROSECOND
    return f"{micros}-{post.pk + 1}"


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        micros_text, pk_text = cursor.split("-", 1)
        micros, pk = int(micros_text), int(pk_text)
        when = _EPOCH + micros * _MICROSECOND
    except (ValueError, OverflowError, OSError) as exc:
        raise InvalidCursor(cursor) from exc
    return when, pk


def list_feed_page(
    blog: LiveBlog, *, before: str | None = None, limit: int = PAGE_SIZE
) -> FeedPage:
    """One page of the blog's visible posts, newest first. The first page also carries
    the pinned post (shown on top, left out of the feed). One query for the posts, plus
    one per prefetched relation, whatever the page size."""
    feed = Q(is_pinned=False)
    if before:
        when, pk = decode_cursor(before)
        feed &= Q(published_at__lt=when) | Q(published_at=when, id__lt=pk)
    wanted = feed if before else feed | Q(is_pinned=True)
    rows = list(
        Post.objects.visible()
        .with_bylines()
        .filter(wanted, blog=blog)
        .order_by("-is_pinned", "-published_at", "-id")[: limit + 2]
    )
    pinned = rows.pop(0) if rows and rows[0].is_pinned else None
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1]) if len(rows) > limit else None
    return FeedPage(pinned=pinned, posts=page, next_cursor=next_cursor)


def list_key_events(blog: LiveBlog) -> list[Post]:
    return list(
        Post.objects.visible()
        .filter(blog=blog, is_key_event=True)
        .newest_first()
        .only("id", "headline", "body", "published_at", "is_pinned", "blog_id")
    )


def local_day(blog: LiveBlog, post: Post) -> date:
    assert post.published_at is not None
    return blog.localtime(post.published_at).date()


def now_in(blog: LiveBlog) -> datetime:
    return blog.localtime(timezone.now())


def list_events_after(
    blog: LiveBlog, *, after: int, limit: int, last_seq: int
) -> "list[LiveEvent] | None":
    """Events of `blog` after seq `after`, oldest first, in one query; None when the reader
    is too far behind (or ahead of the log) and should reload the page instead."""
    if after > last_seq or last_seq - after > limit:
        return None
    if after == last_seq:
        return []
    # last_seq may have moved on since it was read: take a bounded slice, not "all".
    events = list(LiveEvent.objects.filter(blog=blog, seq__gt=after).order_by("seq")[: limit + 1])
    if len(events) > limit:
        return None
    return events
