"""Pictures and social embeds in posts."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction

from liveblog import permissions
from liveblog.live.events import post_changed
from liveblog.media import embeds, images
from liveblog.models import Post, PostEmbed, PostImage
from liveblog.permissions import User
from liveblog.services.posts import MSG_NOT_YOURS, copy_row, lock_post_for_change
from liveblog.text import clean_text

# Media in posts: images and embeds -----------------------------------------------------------
# Pillow work and storage writes happen before the transaction (no row locks held while
# re-encoding); if the transaction then fails, the new files are deleted again. Files that an
# edit replaces or removes are deleted only after commit, so a rolled-back edit never loses a
# picture. Every change re-renders the post for readers; inside
# liveblog.live.events.one_event_per_post() (an admin save with several inlines) once at the
# end.

MSG_ALT_TEXT = "Describe the image in the alt text, for readers who cannot see it."


def _clean_alt_text(alt_text: str) -> str:
    alt_text = clean_text(alt_text or "", field="alt_text").strip()
    if not alt_text:
        raise ValidationError(MSG_ALT_TEXT, code="alt_text_required")
    return alt_text


def _check_can_edit(post: Post, *, by: User) -> None:
    """Cheap early refusal, before any file is written; re-checked under the lock."""
    if not permissions.can_edit_post(by, post):
        raise PermissionDenied(MSG_NOT_YOURS)


def _media_changed(current: Post, *, by: User) -> None:
    current.version += 1
    current.updated_by = by
    current.save(update_fields=["version", "updated_by", "updated_at"])
    post_changed(current, was_visible=current.is_visible(), was_pinned=current.is_pinned)


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
            current = lock_post_for_change(post, by=by)
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
            _media_changed(current, by=by)
    except BaseException:
        images.delete_stored_files(stored.names, storage=storage)
        raise
    copy_row(current, post)
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
            current = lock_post_for_change(image.post, by=by)
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
            _media_changed(current, by=by)
    except BaseException:
        if stored is not None:
            images.delete_stored_files(stored.names, storage=storage)
        raise
    copy_row(locked, image)
    return image


def remove_post_image(image: PostImage, *, by: User) -> None:
    """Take a picture off its post; its original and renditions are deleted after commit."""
    _check_can_edit(image.post, by=by)
    with transaction.atomic():
        current = lock_post_for_change(image.post, by=by)
        locked = PostImage.objects.select_for_update().get(pk=image.pk, post=current)
        _delete_files_on_commit(locked.stored_names)
        locked.delete()
        _media_changed(current, by=by)


def add_post_embed(post: Post, *, by: User, url: str, order: int = 0) -> PostEmbed:
    """Embed a social post by its address; only allow-listed providers (liveblog.media.embeds)."""
    parsed = embeds.parse_embed_url(url)
    with transaction.atomic():
        current = lock_post_for_change(post, by=by)
        embed = PostEmbed.objects.create(
            post=current, order=order, provider=parsed.provider.key, url=parsed.url
        )
        _media_changed(current, by=by)
    copy_row(current, post)
    return embed


def update_post_embed(
    embed: PostEmbed,
    *,
    by: User,
    url: str | None = None,
    order: int | None = None,
) -> PostEmbed:
    parsed = embeds.parse_embed_url(url) if url is not None else None
    with transaction.atomic():
        current = lock_post_for_change(embed.post, by=by)
        locked = PostEmbed.objects.select_for_update().get(pk=embed.pk, post=current)
        if parsed is not None:
            locked.provider, locked.url = parsed.provider.key, parsed.url
        if order is not None:
            locked.order = order
        locked.save()
        _media_changed(current, by=by)
    copy_row(locked, embed)
    embed.__dict__.pop("embed", None)  # the parsed address, a cached_property of the url
    return embed


def remove_post_embed(embed: PostEmbed, *, by: User) -> None:
    with transaction.atomic():
        current = lock_post_for_change(embed.post, by=by)
        PostEmbed.objects.filter(pk=embed.pk, post=current).delete()
        _media_changed(current, by=by)
