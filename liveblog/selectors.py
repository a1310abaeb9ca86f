"""Reads for the reader page, the feeds, the API and catch-up."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from liveblog import permissions
from liveblog.cursors import InvalidCursor as InvalidCursor  # re-exported for views and the API
from liveblog.cursors import decode_cursor as decode_cursor  # re-exported for the API
from liveblog.cursors import encode_position
from liveblog.models import LiveBlog, LiveEvent, Post

PAGE_SIZE = 20


class FeedOrder(StrEnum):
    """The order of the reader page's feed. Newest first pages with `before` cursors (the
    posts older than it), oldest first with `after` cursors (the posts newer than it)."""

    NEWEST = "newest"
    OLDEST = "oldest"

    @property
    def cursor_param(self) -> str:
        """The query parameter of the reader page that carries this order's cursor."""
        return "before" if self is FeedOrder.NEWEST else "after"


@dataclass(frozen=True)
class FeedPage:
    pinned: Post | None
    posts: list[Post]
    next_cursor: str | None


def encode_cursor(post: Post) -> str:
    """An opaque position in the feed: the post's time and id (liveblog.cursors)."""
    assert post.published_at is not None
    return encode_position(post.published_at, post.pk)


def encode_cursor_including(post: Post, *, order: FeedOrder = FeedOrder.NEWEST) -> str:
    """A cursor of `order` whose page starts with `post`: the position just after it
    (newest first) or just before it (oldest first)."""
    assert post.published_at is not None
    step = 1 if order is FeedOrder.NEWEST else -1
    return encode_position(post.published_at, post.pk + step)


def get_blog_for_readers(slug: str) -> LiveBlog:
    """The blog behind a reader URL, with `last_event_at` (the time of its latest event) for
    HTTP validators, in one query. Raises LiveBlog.DoesNotExist."""
    latest = LiveEvent.objects.filter(blog=OuterRef("pk"), seq=OuterRef("last_seq"))
    return LiveBlog.objects.annotate(last_event_at=Subquery(latest.values("created_at")[:1])).get(
        slug=slug
    )


@dataclass(frozen=True)
class BlogListState:
    count: int
    seq_total: int
    last_changed: datetime | None


def get_blog_list_state() -> BlogListState:
    """What changes whenever the list of blogs or anything in them changes, in one query:
    a new event raises the total of seqs, a new or deleted blog the count."""
    state = LiveBlog.objects.aggregate(
        count=Count("id"), seq_total=Sum("last_seq"), last_changed=Max("updated_at")
    )
    return BlogListState(
        count=state["count"], seq_total=state["seq_total"] or 0, last_changed=state["last_changed"]
    )


def list_blogs_for_sitemap() -> QuerySet[LiveBlog]:
    """Every blog with `last_event_at`, newest first."""
    latest = LiveEvent.objects.filter(blog=OuterRef("pk"), seq=OuterRef("last_seq"))
    return LiveBlog.objects.annotate(
        last_event_at=Subquery(latest.values("created_at")[:1])
    ).order_by("-created_at", "pk")


def list_feed_page(
    blog: LiveBlog,
    *,
    cursor: str | None = None,
    order: FeedOrder = FeedOrder.NEWEST,
    limit: int = PAGE_SIZE,
) -> FeedPage:
    """One page of the blog's visible posts in `order`, from `cursor` on (None: from the
    start of that order). The page without a cursor also carries the pinned post (shown on
    top, left out of the feed). One query for the posts, plus one per prefetched relation,
    whatever the page size. Raises InvalidCursor."""
    feed = Q(is_pinned=False)
    if cursor:
        when, pk = decode_cursor(cursor)
        if order is FeedOrder.NEWEST:
            feed &= Q(published_at__lt=when) | Q(published_at=when, id__lt=pk)
        else:
            feed &= Q(published_at__gt=when) | Q(published_at=when, id__gt=pk)
    wanted = feed if cursor else feed | Q(is_pinned=True)
    sequence = ("-published_at", "-id") if order is FeedOrder.NEWEST else ("published_at", "id")
    rows = list(
        Post.objects.visible()
        .with_bylines()
        .filter(wanted, blog=blog)
        .order_by("-is_pinned", *sequence)[: limit + 2]
    )
    pinned = rows.pop(0) if rows and rows[0].is_pinned else None
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1]) if len(rows) > limit else None
    return FeedPage(pinned=pinned, posts=page, next_cursor=next_cursor)


def get_visible_post(blog: LiveBlog, pk: int) -> Post:
    """A post of `blog` that readers may see now (its permalink). Raises Post.DoesNotExist
    for anything else: another blog's post, a draft, a scheduled or a deleted one."""
    return (
        Post.objects.visible()
        .only("id", "blog_id", "published_at", "is_pinned")
        .get(blog=blog, pk=pk)
    )


def list_key_events(blog: LiveBlog) -> list[Post]:
    return list(
        Post.objects.visible()
        .filter(blog=blog, is_key_event=True)
        .newest_first()
        .select_related("blog")
        .only("id", "headline", "body", "published_at", "is_pinned", "blog__slug")
    )


def list_feed_posts(blog: LiveBlog, *, key_events_only: bool, limit: int) -> list[Post]:
    """The latest visible posts for the Atom feeds, newest first, pinned ones in their place."""
    posts = Post.objects.visible().filter(blog=blog)
    if key_events_only:
        posts = posts.filter(is_key_event=True)
    return list(posts.with_bylines().newest_first()[:limit])


@dataclass(frozen=True)
class PostsPage:
    posts: list[Post]
    next_cursor: str | None


def list_posts_page(blog: LiveBlog, *, cursor: str | None, limit: int) -> PostsPage:
    """Visible posts of `blog` newest first, pinned ones in their place (the API's list).
    Raises InvalidCursor. One query plus one per prefetched relation."""
    posts = Post.objects.visible().filter(blog=blog)
    if cursor:
        when, pk = decode_cursor(cursor)
        posts = posts.filter(Q(published_at__lt=when) | Q(published_at=when, id__lt=pk))
    rows = list(posts.with_bylines().newest_first()[: limit + 1])
    page = rows[:limit]
    return PostsPage(posts=page, next_cursor=encode_cursor(page[-1]) if len(rows) > limit else None)


@dataclass(frozen=True)
class Changes:
    """What changed in a blog after a seq: posts to add or replace, post ids to remove."""

    last_seq: int
    posts: list[Post]
    deleted: list[int]


def list_changes_after(blog: LiveBlog, *, after: int, limit: int) -> Changes | None:
    """The posts that events after seq `after` touched, as they are now: visible ones to
    show (newest first), others (deleted, unpublished) to remove. None when `after` is too
    far behind or ahead of the log; the caller should then list the posts again.

    Precondition: `blog.last_seq` was read before this call, so the posts read here are at
    least as new as the events (a later event may already show; applying it twice is safe).
    """
    events = list_events_after(blog, after=after, limit=limit, last_seq=blog.last_seq)
    if events is None:
        return None
    touched = {e.post_id for e in events if e.post_id is not None}
    last_seq = max([blog.last_seq, *(e.seq for e in events)])
    if not touched:
        return Changes(last_seq=last_seq, posts=[], deleted=[])
    visible = list(
        Post.objects.visible().filter(blog=blog, pk__in=touched).with_bylines().newest_first()
    )
    gone = sorted(touched - {p.pk for p in visible})
    return Changes(last_seq=last_seq, posts=visible, deleted=gone)


def get_post_for_user(blog: LiveBlog, pk: int, *, user: permissions.AnyUser) -> Post:
    """A post of `blog` that `user` may see: a visible one, or a draft, submitted or
    scheduled post of their own (any, for editors). Raises Post.DoesNotExist otherwise, so
    nobody learns that someone else's draft exists."""
    post = Post.objects.not_deleted().with_bylines().get(blog=blog, pk=pk)
    if post.is_visible() or permissions.can_see_post(user, post):
        return post
    raise Post.DoesNotExist


def list_posts_awaiting_approval() -> list[Post]:
    """The approval queue across blogs: submitted posts, newest first, blog and author
    loaded (one query)."""
    return list(Post.objects.awaiting_approval())


def count_posts_awaiting_approval() -> int:
    return Post.objects.awaiting_approval().count()


def get_post_for_preview(pk: int, *, user: permissions.AnyUser) -> Post:
    """A post `user` may preview: one they may edit (their own, or any for editors),
    published or not. Raises Post.DoesNotExist otherwise, whether or not it exists."""
    post = Post.objects.not_deleted().with_bylines().get(pk=pk)
    if permissions.can_edit_post(user, post):
        return post
    raise Post.DoesNotExist


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
