"""The approval queue: editors approve, send back or discard reporters' submitted posts.

A post enters the queue in `posts`: on a blog that requires approval, what a reporter
publishes or schedules (create_post, update_post, publish_post) is submitted instead. The
queue's posts were never visible, so sending back and discarding record no event; approving
publishes through `posts.publish_post`, which records the one event readers get.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from liveblog import permissions
from liveblog.models import Post
from liveblog.permissions import User
from liveblog.services.posts import copy_row, delete_post, lock_post_for_change, publish_post
from liveblog.text import clean_text

MSG_CANNOT_APPROVE = "Only editors can approve, send back or discard posts waiting for approval."
MSG_NOT_SUBMITTED = (
    "This post is not waiting for approval: another editor may have approved, sent back or "
    "discarded it already. Reload the queue."
)
MSG_NOTE_REQUIRED = "Write a note saying what to change: the reporter sees it on their post."


def _lock_submitted(post: Post, *, by: User) -> Post:
    """Refuse non-editors and posts no longer in the queue; return the locked row.
    Precondition: inside the caller's transaction."""
    if not permissions.can_approve_post(by):
        raise PermissionDenied(MSG_CANNOT_APPROVE)
    current = lock_post_for_change(post, by=by)
    if current.status != Post.Status.SUBMITTED:
        raise ValidationError(MSG_NOT_SUBMITTED, code="not_submitted")
    return current


def approve_post(post: Post, *, by: User, at: datetime | None = None) -> Post:
    """Publish a submitted post (now, at `at`, or at the later time it asked for)."""
    with transaction.atomic():
        current = _lock_submitted(post, by=by)
        publish_post(current, by=by, at=at)
    copy_row(current, post)
    return post


def return_post(post: Post, *, by: User, note: str) -> Post:
    """Send a submitted post back to its reporter as a draft, with `note` saying why."""
    note = clean_text(note or "", field="note").strip()
    if not note:
        raise ValidationError(MSG_NOTE_REQUIRED, code="note_required")
    with transaction.atomic():
        current = _lock_submitted(post, by=by)
        current.status = Post.Status.DRAFT
        current.submitted_at = None
        current.review_note = note
        current.version += 1
        current.updated_by = by
        current.save(
            update_fields=[
                "status",
                "submitted_at",
                "review_note",
                "version",
                "updated_by",
                "updated_at",
            ]
        )
        # No event: readers never saw the post, and still do not.
    copy_row(current, post)
    return post


def discard_post(post: Post, *, by: User) -> Post:
    """Take a submitted post out of the queue for good (deleted, as delete_post does)."""
    with transaction.atomic():
        current = _lock_submitted(post, by=by)
        delete_post(current, by=by)
    copy_row(current, post)
    return post
