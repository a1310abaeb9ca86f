"""Blogs: creating one and changing its settings or status."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from liveblog.live.events import record_event
from liveblog.models import LiveBlog, LiveEvent
from liveblog.permissions import User

MSG_CANNOT_CREATE = "Only editors can start a live blog."
MSG_CANNOT_CHANGE = "Only editors can change a blog's settings or status."

# Fields a caller may set with create_blog / update_blog. `last_seq` never: it moves on
# under a row lock as events are recorded; nor the reader peak (record_reader_peak).
BLOG_FIELDS = frozenset(
    {"title", "slug", "description", "status", "time_zone", "requires_approval", "embed_origins"}
)


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - BLOG_FIELDS
    if unknown:
        raise TypeError(f"blogs have no settable {', '.join(sorted(unknown))}")


def create_blog(*, by: User, **fields: Any) -> LiveBlog:
    """Start a live blog. Raises PermissionDenied or ValidationError and creates nothing."""
    if not by.has_perm("liveblog.add_liveblog"):
        raise PermissionDenied(MSG_CANNOT_CREATE)
    _check_fields(fields)
    blog = LiveBlog(**fields)
    blog.full_clean()
    with transaction.atomic():
        blog.save()
    return blog


def update_blog(blog: LiveBlog, *, by: User, **changes: Any) -> LiveBlog:
    """Change a blog's settings; a change of status is an event open reader pages show.

    Writes only the fields that change, so a caller holding an old copy of the blog never
    writes back a stale `last_seq`.
    """
    if not by.has_perm("liveblog.change_liveblog"):
        raise PermissionDenied(MSG_CANNOT_CHANGE)
    _check_fields(changes)
    if "status" in changes and changes["status"] not in LiveBlog.Status.values:
        raise ValidationError(f"Unknown status {changes['status']!r}.", code="invalid_status")
    with transaction.atomic():
        locked = LiveBlog.objects.select_for_update().get(pk=blog.pk)
        changed = [name for name, value in changes.items() if getattr(locked, name) != value]
        if not changed:
            return blog
        for name in changed:
            setattr(locked, name, changes[name])
        locked.full_clean(exclude=[f.name for f in LiveBlog._meta.fields if f.name not in changed])
        locked.save(update_fields=[*changed, "updated_at"])
        if "status" in changed:
            record_event(locked, LiveEvent.Kind.BLOG_STATUS, data={"status": locked.status})
    for field in LiveBlog._meta.concrete_fields:
        setattr(blog, field.attname, getattr(locked, field.attname))
    return blog


def set_blog_status(blog: LiveBlog, *, status: str, by: User) -> LiveBlog:
    """Mark a blog live, paused or ended; open reader pages show the change."""
    return update_blog(blog, by=by, status=status)


def record_reader_peak(blog_id: int, *, readers: int, at: datetime) -> bool:
    """Raise the blog's peak of live readers to `readers` (seen at `at`) if that is higher;
    True if it was. One conditional UPDATE, so concurrent reports from many processes keep
    the highest. `updated_at` stays: a peak is no change readers see (pages' validators)."""
    raised = LiveBlog.objects.filter(pk=blog_id, peak_readers__lt=readers).update(
        peak_readers=readers, peak_readers_at=at
    )
    return raised > 0
