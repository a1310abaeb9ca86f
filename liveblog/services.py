"""Business actions on live blogs: the only code that writes posts and blogs.

Every function runs in one transaction and records the reader-visible event (if any) via
`liveblog.events.record_event`, which broadcasts after commit. The admin, views, commands
and the API call these; none of them saves a Post directly.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone

from . import embeds, images, permissions
from .events import record_event
from .models import Contributor, LiveBlog, LiveEvent, Post, PostEmbed, PostImage
from .sanitize import clean_body

MSG_EMPTY_POST = "Write a headline or some text: a post cannot be empty."
MSG_NOT_YOURS = "You can only change your own posts; ask an editor to change this one."
MSG_CANNOT_PIN = "Only editors can pin or unpin posts."
MSG_CANNOT_FLAG = "Only editors can mark posts as breaking or as key events."
MSG_DELETED = "This post has been deleted and can no longer be changed."
MSG_CONFLICT = "Someone else saved this post since you opened it. Your changes have not been saved."

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

User = AbstractBaseUser


class PostConflict(ValidationError):
    """The post changed since the caller read it (optimistic locking)."""

    def __init__(self, current: Post):
        super().__init__(MSG_CONFLICT, code="conflict")
        self.current = current


def _normalise_schedule(
    status: str, published_at: datetime | None, *, now: datetime
) -> tuple[str, datetime | None]:
    """A published post with a time in the future is scheduled; a scheduled one whose
    time has come is published. Drafts keep whatever time they were given."""
    if status == Post.Status.DRAFT:
        return status, published_at
    # Readers see minutes; whole seconds keep <time datetime> and cursors tidy.
    published_at = published_at or now.replace(microsecond=0)
    if published_at > now:
        return Post.Status.SCHEDULED, published_at
    return Post.Status.PUBLISHED, published_at


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


def _unpin_others(blog: LiveBlog, *, keep: Post | None) -> None:
    """Unpin whatever is pinned on `blog` (but `keep`), recording an event for each."""
    others = Post.objects.select_for_update().filter(blog=blog, is_pinned=True)
    if keep is not None and keep.pk:
        others = others.exclude(pk=keep.pk)
    for other in others:
        other.is_pinned = False
        other.version += 1
        other.save(update_fields=["is_pinned", "version", "updated_at"])
        if other.is_visible():
            record_event(blog, LiveEvent.Kind.POST_UNPINNED, post=other, data={"pinned": False})


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
    kept as a draft."""
    if not by.has_perm("liveblog.add_post"):
        raise PermissionDenied("You do not have permission to file posts.")
    _check_flags(by, breaking=is_breaking, key_event=is_key_event, pinned=is_pinned)
    body = clean_body(body)
    headline = headline.strip()
    _check_not_empty(headline, body)
    status, published_at = _normalise_schedule(status, published_at, now=timezone.now())
    contributor_list = list(contributors or [])

    with transaction.atomic():
        if is_pinned:
            _unpin_others(blog, keep=None)
        post = Post.objects.create(
            blog=blog,
            headline=headline,
            body=body,
            published_at=published_at,
            status=status,
            is_breaking=is_breaking,
            is_key_event=is_key_event,
            is_pinned=is_pinned,
            created_by=by,
            updated_by=by,
        )
        post.contributors.set(contributor_list)
        if post.is_visible():
            record_event(blog, LiveEvent.Kind.POST_PUBLISHED, post=post)
    return post


def update_post(post: Post, *, by: User, expected_version: int, **changes: Any) -> Post:
    """Change a post, refusing if it changed since the caller read `expected_version`.

    Records the event readers need: published (became visible), deleted (no longer
    visible), pinned/unpinned, or updated. Raises PostConflict, PermissionDenied or
    ValidationError and then changes nothing.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"update_post cannot change {', '.join(sorted(unknown))}")

    with transaction.atomic():
        current = Post.objects.select_for_update().select_related("blog").get(pk=post.pk)
        if current.deleted_at is not None:
            raise ValidationError(MSG_DELETED, code="deleted")
        if not permissions.can_edit_post(by, current):
            raise PermissionDenied(MSG_NOT_YOURS)
        if current.version != expected_version:
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
        if "body" in changes:
            changes["body"] = clean_body(changes["body"])
        if "headline" in changes:
            changes["headline"] = changes["headline"].strip()
        for name, value in changes.items():
            setattr(current, name, value)
        _check_not_empty(current.headline, current.body)
        current.status, current.published_at = _normalise_schedule(
            current.status, current.published_at, now=timezone.now()
        )
        if current.is_pinned and not was_pinned:
            _unpin_others(current.blog, keep=current)
        current.version += 1
        current.updated_by = by
        current.save()
        if contributors is not None:
            current.contributors.set(contributors)

        _record_change(current, was_visible=was_visible, was_pinned=was_pinned)

    _copy_state(current, post)
    return post


def _record_change(post: Post, *, was_visible: bool, was_pinned: bool) -> None:
    is_visible = post.is_visible()
    kind: LiveEvent.Kind | None = None
    data: dict[str, Any] = {}
    if is_visible and not was_visible:
        kind = LiveEvent.Kind.POST_PUBLISHED
    elif was_visible and not is_visible:
        kind = LiveEvent.Kind.POST_DELETED
    elif is_visible and post.is_pinned != was_pinned:
        kind = LiveEvent.Kind.POST_PINNED if post.is_pinned else LiveEvent.Kind.POST_UNPINNED
        data = {"pinned": post.is_pinned}
    elif is_visible:
        kind = LiveEvent.Kind.POST_UPDATED
    if kind is not None:
        record_event(post.blog, kind, post=post, data=data)


def _copy_state(source: Post, target: Post) -> None:
    if source is target:
        return
    for field in Post._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def publish_post(post: Post, *, by: User | None, at: datetime | None = None) -> Post:
    """Publish a draft or scheduled post: now, or at `at` (a future time schedules it).

    `by=None` is the scheduler acting for the newsroom (publish_scheduled_posts).
    """
    with transaction.atomic():
        current = Post.objects.select_for_update().select_related("blog").get(pk=post.pk)
        if current.deleted_at is not None:
            raise ValidationError(MSG_DELETED, code="deleted")
        if by is not None and not permissions.can_edit_post(by, current):
            raise PermissionDenied(MSG_NOT_YOURS)
        was_visible = current.is_visible()
        now = timezone.now()
        when = at or (current.published_at if current.status == Post.Status.SCHEDULED else now)
        current.status, current.published_at = _normalise_schedule(
            Post.Status.PUBLISHED, when, now=now
        )
        current.version += 1
        if by is not None:
            current.updated_by = by
        current.save()
        _record_change(current, was_visible=was_visible, was_pinned=current.is_pinned)
    _copy_state(current, post)
    return post


def publish_scheduled_posts(*, now: datetime | None = None) -> list[Post]:
    """Publish every scheduled post whose time has come; returns those published."""
    now = now or timezone.now()
    published = []
    for post in Post.objects.due_for_publishing(now=now).order_by("published_at", "id"):
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
        if was_visible:
            record_event(current.blog, LiveEvent.Kind.POST_DELETED, post=current)
    _copy_state(current, post)
    return post


def pin_post(post: Post, *, by: User) -> Post:
    """Pin `post` to the top of its blog, unpinning whatever was pinned."""
    current = Post.objects.only("version").get(pk=post.pk)
    return update_post(post, by=by, expected_version=current.version, is_pinned=True)


def unpin_post(post: Post, *, by: User) -> Post:
    current = Post.objects.only("version").get(pk=post.pk)
    return update_post(post, by=by, expected_version=current.version, is_pinned=False)


def set_blog_status(blog: LiveBlog, *, status: str, by: User) -> LiveBlog:
    """Mark a blog live, paused or ended; open reader pages show the change."""
    if not by.has_perm("liveblog.change_liveblog"):
        raise PermissionDenied("Only editors can change a blog's status.")
    if status not in LiveBlog.Status.values:
        raise ValidationError(f"Unknown status {status!r}.", code="invalid_status")
    with transaction.atomic():
        locked = LiveBlog.objects.select_for_update().get(pk=blog.pk)
        if locked.status == status:
            return blog
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        record_event(locked, LiveEvent.Kind.BLOG_STATUS, data={"status": status})
    blog.status = status
    blog.last_seq = locked.last_seq
    return blog


# Media in posts: images and embeds -----------------------------------------------------------
# Pillow work and storage writes happen before the transaction (no row locks held while
# re-encoding); if the transaction then fails, the new files are deleted again. Files that an
# edit replaces or removes are deleted only after commit, so a rolled-back edit never loses a
# picture. Every change re-renders the post once for readers, unless the caller batches
# changes with broadcast=False and finishes with rebroadcast_post (the admin's inlines do).

MSG_ALT_TEXT = "Describe the image in the alt text, for readers who cannot see it."


def _clean_alt_text(alt_text: str) -> str:
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise ValidationError(MSG_ALT_TEXT, code="alt_text_required")
    return alt_text


def _lock_post_for_media(post: Post, *, by: User) -> Post:
    """Lock and return the post behind a media change. Precondition: inside atomic()."""
    current = Post.objects.select_for_update().select_related("blog").get(pk=post.pk)
    if current.deleted_at is not None:
        raise ValidationError(MSG_DELETED, code="deleted")
    if not permissions.can_edit_post(by, current):
        raise PermissionDenied(MSG_NOT_YOURS)
    return current


def _check_can_edit(post: Post, *, by: User) -> None:
    """Cheap early refusal, before any file is written; re-checked under the lock."""
    if not permissions.can_edit_post(by, post):
        raise PermissionDenied(MSG_NOT_YOURS)


def _media_changed(current: Post, *, by: User, broadcast: bool) -> None:
    current.version += 1
    current.updated_by = by
    current.save(update_fields=["version", "updated_by", "updated_at"])
    if broadcast and current.is_visible():
        record_event(current.blog, LiveEvent.Kind.POST_UPDATED, post=current)


def _image_storage() -> Storage:
    return PostImage._meta.get_field("original").storage


def _delete_files_on_commit(names: list[str]) -> None:
    storage = _image_storage()
    transaction.on_commit(lambda: images.delete_stored_files(names, storage=storage), robust=True)


def add_post_image(
    post: Post,
    *,
    by: User,
    upload: File | images.DecodedImage,
    alt_text: str,
    caption: str = "",
    credit: str = "",
    order: int = 0,
    broadcast: bool = True,
) -> PostImage:
    """Attach a picture to `post`: decoded, cleaned and re-encoded with its renditions.

    `upload` is the uploaded file, or the DecodedImage a form already made of it. A refused
    file raises ValidationError and changes nothing.
    """
    alt_text = _clean_alt_text(alt_text)
    _check_can_edit(post, by=by)
    decoded = upload if isinstance(upload, images.DecodedImage) else images.decode_image(upload)
    storage = _image_storage()
    stored = images.store_image(decoded, storage=storage)
    try:
        with transaction.atomic():
            current = _lock_post_for_media(post, by=by)
            image = PostImage(
                post=current,
                order=order,
                alt_text=alt_text,
                caption=caption.strip(),
                credit=credit.strip(),
                width=stored.width,
                height=stored.height,
                renditions=stored.renditions,
            )
            image.original.name = stored.original
            image.save()
            _media_changed(current, by=by, broadcast=broadcast)
    except BaseException:
        images.delete_stored_files(stored.names, storage=storage)
        raise
    _copy_state(current, post)
    return image


def update_post_image(
    image: PostImage,
    *,
    by: User,
    upload: File | images.DecodedImage | None = None,
    alt_text: str | None = None,
    caption: str | None = None,
    credit: str | None = None,
    order: int | None = None,
    broadcast: bool = True,
) -> PostImage:
    """Change a picture's text or order, or replace the picture itself (`upload`); the
    replaced files are deleted once the change is committed."""
    if alt_text is not None:
        alt_text = _clean_alt_text(alt_text)
    _check_can_edit(image.post, by=by)
    storage = _image_storage()
    stored = None
    if upload is not None:
        decoded = upload if isinstance(upload, images.DecodedImage) else images.decode_image(upload)
        stored = images.store_image(decoded, storage=storage)
    try:
        with transaction.atomic():
            current = _lock_post_for_media(image.post, by=by)
            locked = PostImage.objects.select_for_update().get(pk=image.pk, post=current)
            if alt_text is not None:
                locked.alt_text = alt_text
            if caption is not None:
                locked.caption = caption.strip()
            if credit is not None:
                locked.credit = credit.strip()
            if order is not None:
                locked.order = order
            if stored is not None:
                _delete_files_on_commit(locked.stored_names)
                locked.original.name = stored.original
                locked.width, locked.height = stored.width, stored.height
                locked.renditions = stored.renditions
            locked.save()
            _media_changed(current, by=by, broadcast=broadcast)
    except BaseException:
        if stored is not None:
            images.delete_stored_files(stored.names, storage=storage)
        raise
    for f in PostImage._meta.concrete_fields:
        setattr(image, f.attname, getattr(locked, f.attname))
    return image


def remove_post_image(image: PostImage, *, by: User, broadcast: bool = True) -> None:
    """Take a picture off its post; its original and renditions are deleted after commit."""
    _check_can_edit(image.post, by=by)
    with transaction.atomic():
        current = _lock_post_for_media(image.post, by=by)
        locked = PostImage.objects.select_for_update().get(pk=image.pk, post=current)
        _delete_files_on_commit(locked.stored_names)
        locked.delete()
        _media_changed(current, by=by, broadcast=broadcast)


def add_post_embed(
    post: Post, *, by: User, url: str, order: int = 0, broadcast: bool = True
) -> PostEmbed:
    """Embed a social post by its address; only allow-listed providers (liveblog.embeds)."""
    parsed = embeds.parse_embed_url(url)
    with transaction.atomic():
        current = _lock_post_for_media(post, by=by)
        embed = PostEmbed.objects.create(
            post=current, order=order, provider=parsed.provider.key, url=parsed.url
        )
        _media_changed(current, by=by, broadcast=broadcast)
    _copy_state(current, post)
    return embed


def update_post_embed(
    embed: PostEmbed,
    *,
    by: User,
    url: str | None = None,
    order: int | None = None,
    broadcast: bool = True,
) -> PostEmbed:
    parsed = embeds.parse_embed_url(url) if url is not None else None
    with transaction.atomic():
        current = _lock_post_for_media(embed.post, by=by)
        locked = PostEmbed.objects.select_for_update().get(pk=embed.pk, post=current)
        if parsed is not None:
            locked.provider, locked.url = parsed.provider.key, parsed.url
        if order is not None:
            locked.order = order
        locked.save()
        _media_changed(current, by=by, broadcast=broadcast)
    for f in PostEmbed._meta.concrete_fields:
        setattr(embed, f.attname, getattr(locked, f.attname))
    embed.__dict__.pop("embed", None)
    return embed


def remove_post_embed(embed: PostEmbed, *, by: User, broadcast: bool = True) -> None:
    with transaction.atomic():
        current = _lock_post_for_media(embed.post, by=by)
        PostEmbed.objects.filter(pk=embed.pk, post=current).delete()
        _media_changed(current, by=by, broadcast=broadcast)


def rebroadcast_post(post: Post, *, by: User) -> None:
    """Show readers the post as it now is: one POST_UPDATED event if it is visible. Ends a
    batch of media changes made with broadcast=False."""
    with transaction.atomic():
        current = _lock_post_for_media(post, by=by)
        if current.is_visible():
            record_event(current.blog, LiveEvent.Kind.POST_UPDATED, post=current)
