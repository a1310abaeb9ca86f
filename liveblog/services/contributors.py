"""Contributors: a byline correction reaches every open page that shows it; avatars go
through the image pipeline like post pictures."""

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction

from liveblog.live.events import record_event
from liveblog.media import images
from liveblog.models import Contributor, LiveBlog, LiveEvent, Post
from liveblog.permissions import User

# What readers see of a contributor; changing anything else re-renders nothing.
BYLINE_FIELDS = ("name", "role", "avatar")

MSG_CANNOT_MANAGE = "Only editors can manage contributors."


def save_contributor(
    contributor: Contributor,
    *,
    by: User,
    avatar: File | images.DecodedImage | None = None,
    remove_avatar: bool = False,
) -> Contributor:
    """Save a new or changed contributor, with a new avatar (`avatar`, an upload or what a
    form decoded of it) or without one (`remove_avatar`).

    An avatar is decoded, stripped of metadata and re-encoded (liveblog.media.images); a refused
    file raises ValidationError and changes nothing. The file is written before the
    transaction and deleted again if it fails; a replaced avatar is deleted after commit.

    When the byline changes, every visible post of theirs on a blog that is still live or
    paused is re-rendered for open pages (one `post.updated` event each); ended blogs keep
    their record as it was published.
    """
    if not by.has_perm(
        "liveblog.change_contributor" if contributor.pk else "liveblog.add_contributor"
    ):
        raise PermissionDenied(MSG_CANNOT_MANAGE)
    storage = Contributor._meta.get_field("avatar").storage
    new_avatar = None
    if avatar is not None:
        decoded = avatar if isinstance(avatar, images.DecodedImage) else images.decode_image(avatar)
        new_avatar = images.store_avatar(decoded, storage=storage)
    try:
        _save(contributor, new_avatar=new_avatar, remove_avatar=remove_avatar)
    except BaseException:
        if new_avatar:
            images.delete_stored_files([new_avatar], storage=storage)
        raise
    return contributor


def _save(contributor: Contributor, *, new_avatar: str | None, remove_avatar: bool) -> None:
    storage = Contributor._meta.get_field("avatar").storage
    with transaction.atomic():
        before = (
            Contributor.objects.filter(pk=contributor.pk).values(*BYLINE_FIELDS).first()
            if contributor.pk
            else None
        )
        old_avatar = before["avatar"] if before else ""
        if new_avatar:
            contributor.avatar = new_avatar
        elif remove_avatar:
            contributor.avatar = ""
        elif before is not None:
            # Only this service writes avatars: whatever else was assigned is not kept.
            contributor.avatar = old_avatar
        else:
            contributor.avatar = ""
        contributor.save()
        if old_avatar and old_avatar != contributor.avatar.name:
            transaction.on_commit(
                lambda: images.delete_stored_files([old_avatar], storage=storage), robust=True
            )
        if before is None or all(
            before[name] == getattr(contributor, name) for name in BYLINE_FIELDS
        ):
            return
        posts = (
            Post.objects.visible()
            .filter(contributors=contributor)
            .exclude(blog__status=LiveBlog.Status.ENDED)
            .select_related("blog")
            .order_by("blog_id", "published_at", "id")
        )
        for post in posts:
            record_event(post.blog, LiveEvent.Kind.POST_UPDATED, post=post)
