"""Posts: filing, editing, publishing, deleting, pinning.

Every function runs in one transaction and records the reader-visible event (if any) via
`liveblog.live.events.record_event`, which broadcasts after commit.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from liveblog import permissions
from liveblog.live.events import post_changed
from liveblog.models import Contributor, LiveBlog, Post
from liveblog.permissions import User
from liveblog.sanitize import clean_body
from liveblog.text import clean_text

MSG_EMPTY_POST = "Write a headline or some text: a post cannot be empty."
MSG_NOT_YOURS = "You can only change your own posts; ask an editor to change this one."
MSG_CANNOT_PIN = "Only editors can pin or unpin posts."
MSG_CANNOT_FLAG = "Only editors can mark posts as breaking or as key events."
MSG_DELETED = "This post has been deleted and can no longer be changed."
MSG_APPROVED_IS_EDITORS = (
    "This post has been approved: on this blog only editors change approved posts. Ask an "
    "editor to make the change."
)
MSG_BYLINE_NOT_YOURS = (
    "You can sign posts only as yourself or with bylines an editor has linked to you; "
    "ask an editor to add {names}."
)
MSG_CONFLICT = "Someone else saved this post since you opened it. Your changes have not been saved."
MSG_TIME_OUT_OF_RANGE = (
    "Give a time between 2 January 0001 and 30 December 9999: nearer the ends of the "
    "calendar the time cannot be shown in every time zone."
)
# A day inside what a datetime can hold: every zone's local time of these exists.
SHOWABLE_FROM = datetime(1, 1, 2, tzinfo=UTC)
SHOWABLE_UNTIL = datetime(9999, 12, 30, tzinfo=UTC)

# Fields a caller may change with update_post.
EDITABLE_FIELDS = frozenset(
    {
        "headline",
        "body",
        "contributors",
        "published_at",
        "status",
        "is_breaking",
        "is_key_event",
        "is_pinned",
    }
)


class PostConflict(ValidationError):
    """The post changed since the caller read it (optimistic locking)."""

    def __init__(self, current: Post):
        super().__init__(MSG_CONFLICT, code="conflict")
        self.current = current


def _normalise_schedule(
    status: str, published_at: datetime | None, *, now: datetime
) -> tuple[str, datetime | None]:
    """A published post with a time in the future is scheduled; a scheduled one whose
    time has come is published. Drafts and submitted posts keep whatever time they were
    given (a submitted post's is the time it asks to be published at)."""
    if published_at is not None and not SHOWABLE_FROM <= published_at <= SHOWABLE_UNTIL:
        error = ValidationError(MSG_TIME_OUT_OF_RANGE, code="time_out_of_range")
        raise ValidationError({"published_at": [error]})
    if status in (Post.Status.DRAFT, Post.Status.SUBMITTED):
        return status, published_at
    # Readers see minutes; whole seconds keep <time datetime> and cursors tidy.
    published_at = published_at or now.replace(microsecond=0)
    if published_at > now:
        return Post.Status.SCHEDULED, published_at
    return Post.Status.PUBLISHED, published_at


def _route_for_approval(blog: LiveBlog, by: User | None, status: str) -> str:
    """On a blog that requires approval, what a reporter publishes or schedules is submitted
    instead: it waits in the editors' queue (approval.approve_post publishes it). Routing,
    not refusing, keeps every way of filing (the admin's Save, API clients, a phone in the
    field) working unchanged; the post's status says where it went."""
    if by is None or status not in (Post.Status.PUBLISHED, Post.Status.SCHEDULED):
        return status
    return Post.Status.SUBMITTED if permissions.needs_approval(by, blog) else status


def _keep_queue_fields(post: Post, *, now: datetime) -> None:
    """`submitted_at` is set while the post waits for approval (the time it entered the
    queue), else cleared; an editor's note goes once the post is published or scheduled."""
    if post.status == Post.Status.SUBMITTED:
        post.submitted_at = post.submitted_at or now
    else:
        post.submitted_at = None
    if post.status in (Post.Status.PUBLISHED, Post.Status.SCHEDULED):
        post.review_note = ""


def _check_not_empty(headline: str, body: str) -> None:
    if not headline.strip() and not body:
        raise ValidationError(MSG_EMPTY_POST, code="empty_post")


def _check_flags(by: User | None, *, breaking: bool, key_event: bool, pinned: bool) -> None:
    if by is None:
        return
    if (breaking or key_event) and not permissions.can_flag_post(by):
        raise PermissionDenied(MSG_CANNOT_FLAG)
    if pinned and not permissions.can_pin_post(by):
        raise PermissionDenied(MSG_CANNOT_PIN)


def _check_bylines(
    by: User | None, contributors: Iterable[Contributor], *, already: Iterable[Contributor] = ()
) -> None:
    """Refuse bylines `by` may not sign with. Those already on the post stay whoever added
    them (an editor may have), so a reporter's edit of the text keeps them."""
    if by is None or permissions.can_sign_with_any_byline(by):
        return
    kept = {c.pk for c in already}
    added = {c.pk: c for c in contributors if c.pk not in kept}
    if not added:
        return
    allowed = set(permissions.allowed_bylines(by).filter(pk__in=added).values_list("pk", flat=True))
    refused = sorted((c.name for pk, c in added.items() if pk not in allowed))
    if refused:
        raise PermissionDenied(MSG_BYLINE_NOT_YOURS.format(names=", ".join(refused)))


def _unpin_others(blog: LiveBlog, *, keep: Post | None) -> None:
    """Unpin whatever is pinned on `blog` (but `keep`), recording an event for each."""
    others = Post.objects.select_for_update().filter(blog=blog, is_pinned=True)
    if keep is not None and keep.pk:
        others = others.exclude(pk=keep.pk)
    for other in others:
        was_visible = other.is_visible()
        other.is_pinned = False
        other.version += 1
        other.save(update_fields=["is_pinned", "version", "updated_at"])
        other.blog = blog
        post_changed(other, was_visible=was_visible, was_pinned=True)


def create_post(
    *,
    blog: LiveBlog,
    by: User,
    headline: str = "",
    body: str = "",
    contributors: Iterable[Contributor] | None = None,
    published_at: datetime | None = None,
    status: str = Post.Status.PUBLISHED,
    is_breaking: bool = False,
    is_key_event: bool = False,
    is_pinned: bool = False,
) -> Post:
    """File a new post: published now, scheduled if `published_at` is in the future, or
    kept as a draft; submitted instead of published or scheduled when the blog requires
    approval and `by` is not an editor."""
    if not by.has_perm("liveblog.add_post"):
        raise PermissionDenied("You do not have permission to file posts.")
    _check_flags(by, breaking=is_breaking, key_event=is_key_event, pinned=is_pinned)
    body = clean_body(body)
    headline = clean_text(headline, field="headline").strip()
    _check_not_empty(headline, body)
    now = timezone.now()
    status, published_at = _normalise_schedule(status, published_at, now=now)
    status = _route_for_approval(blog, by, status)
    contributor_list = list(contributors or [])
    _check_bylines(by, contributor_list)

    with transaction.atomic():
        if is_pinned:
            _unpin_others(blog, keep=None)
        post = Post.objects.create(
            blog=blog,
            headline=headline,
            body=body,
            published_at=published_at,
            status=status,
            submitted_at=now if status == Post.Status.SUBMITTED else None,
            is_breaking=is_breaking,
            is_key_event=is_key_event,
            is_pinned=is_pinned,
            created_by=by,
            updated_by=by,
        )
        post.contributors.set(contributor_list)
        post_changed(post, was_visible=False, was_pinned=False)
    return post


def update_post(post: Post, *, by: User, expected_version: int | None, **changes: Any) -> Post:
    """Change a post, refusing if it changed since the caller read `expected_version`.

    Records the event readers need: published (became visible), deleted (no longer
    visible), pinned/unpinned, or updated. Raises PostConflict, PermissionDenied or
    ValidationError and then changes nothing.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"update_post cannot change {', '.join(sorted(unknown))}")

    with transaction.atomic():
        current = lock_post_for_change(post, by=by)
        # None: the caller changes only what cannot clash with an edit of the text (a pin).
        if expected_version is not None and current.version != expected_version:
            raise PostConflict(current)

        was_visible = current.is_visible()
        was_pinned = current.is_pinned
        flag_changes = {
            name: changes[name]
            for name in ("is_breaking", "is_key_event", "is_pinned")
            if name in changes and changes[name] != getattr(current, name)
        }
        _check_flags(
            by,
            breaking="is_breaking" in flag_changes,
            key_event="is_key_event" in flag_changes,
            pinned="is_pinned" in flag_changes,
        )

        contributors = changes.pop("contributors", None)
        if contributors is not None:
            contributors = list(contributors)
            _check_bylines(by, contributors, already=current.contributors.all())
        if "body" in changes:
            changes["body"] = clean_body(changes["body"])
        if "headline" in changes:
            changes["headline"] = clean_text(changes["headline"], field="headline").strip()
        for name, value in changes.items():
            setattr(current, name, value)
        _check_not_empty(current.headline, current.body)
        now = timezone.now()
        current.status, current.published_at = _normalise_schedule(
            current.status, current.published_at, now=now
        )
        current.status = _route_for_approval(current.blog, by, current.status)
        _keep_queue_fields(current, now=now)
        if current.is_pinned and not was_pinned:
            _unpin_others(current.blog, keep=current)
        current.version += 1
        current.updated_by = by
        current.save()
        if contributors is not None:
            current.contributors.set(contributors)
        post_changed(current, was_visible=was_visible, was_pinned=was_pinned)

    copy_row(current, post)
    return post


def lock_post_for_change(
    post: Post, *, by: User | None, may: Callable[[User, Post], bool] = permissions.can_edit_post
) -> Post:
    """The opening of every change to a post (its text, flags, media or cards): lock its
    row, refuse a deleted post, and refuse `by` unless `may(by, post)`; `by=None` is the
    newsroom's own process (the scheduler). Returns the locked row, blog loaded.
    Precondition: inside the caller's transaction."""
    current = Post.objects.select_for_update().select_related("blog").get(pk=post.pk)
    if current.deleted_at is not None:
        raise ValidationError(MSG_DELETED, code="deleted")
    if by is not None and not may(by, current):
        raise PermissionDenied(_refusal(by, current))
    return current


def _refusal(by: User, post: Post) -> str:
    # A reporter refused their own post on an approval blog: it has been approved.
    if post.created_by_id == by.pk and permissions.needs_approval(by, post.blog):
        return MSG_APPROVED_IS_EDITORS
    return MSG_NOT_YOURS


def copy_row(source: Model, target: Model) -> None:
    """Give the caller's instance `target` the saved state of `source` (the locked row a
    service changed), so callers see what was written."""
    if source is target:
        return
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def publish_post(post: Post, *, by: User | None, at: datetime | None = None) -> Post:
    """Publish a draft, submitted or scheduled post: now, or at `at` (a future time
    schedules it). A submitted post that asked for a time still ahead is scheduled for it.
    When the blog requires approval and `by` is not an editor, the post is submitted instead.

    `by=None` is the scheduler acting for the newsroom (publish_scheduled_posts).
    """
    with transaction.atomic():
        current = lock_post_for_change(post, by=by)
        was_visible = current.is_visible()
        now = timezone.now()
        asked = current.published_at
        if current.status == Post.Status.SCHEDULED or (
            current.status == Post.Status.SUBMITTED and asked is not None and asked > now
        ):
            when = asked
        else:
            when = now
        status, current.published_at = _normalise_schedule(
            Post.Status.PUBLISHED, at or when, now=now
        )
        current.status = _route_for_approval(current.blog, by, status)
        _keep_queue_fields(current, now=now)
        current.version += 1
        if by is not None:
            current.updated_by = by
        current.save()
        post_changed(current, was_visible=was_visible, was_pinned=current.is_pinned)
    copy_row(current, post)
    return post


def publish_scheduled_posts() -> list[Post]:
    """Publish every scheduled post whose time has come; returns those published."""
    published = []
    due = Post.objects.due_for_publishing(now=timezone.now()).order_by("published_at", "id")
    for post in due:
        published.append(publish_post(post, by=None))
    return published


def delete_post(post: Post, *, by: User) -> Post:
    """Soft-delete a post: readers lose it at once, the row stays for the record."""
    with transaction.atomic():
        current = Post.objects.select_for_update().select_related("blog").get(pk=post.pk)
        if current.deleted_at is not None:
            return current
        if not permissions.can_delete_post(by, current):
            raise PermissionDenied(MSG_NOT_YOURS)
        was_visible = current.is_visible()
        current.deleted_at = timezone.now()
        current.is_pinned = False
        current.version += 1
        current.updated_by = by
        current.save()
        post_changed(current, was_visible=was_visible, was_pinned=False)
    copy_row(current, post)
    return post


def pin_post(post: Post, *, by: User) -> Post:
    """Pin `post` to the top of its blog, unpinning whatever was pinned. A pin never
    conflicts with someone's edit of the text, so no version is checked."""
    return update_post(post, by=by, expected_version=None, is_pinned=True)


def unpin_post(post: Post, *, by: User) -> Post:
    return update_post(post, by=by, expected_version=None, is_pinned=False)
