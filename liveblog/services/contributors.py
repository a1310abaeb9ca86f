"""Contributors: a byline correction reaches every open page that shows it."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..events import record_event
from ..models import Contributor, LiveBlog, LiveEvent, Post

User = AbstractBaseUser

# What readers see of a contributor; changing anything else re-renders nothing.
BYLINE_FIELDS = ("name", "role", "avatar")


def save_contributor(contributor: Contributor, *, by: User) -> Contributor:
    """Save a new or changed contributor. When the byline changes, every visible post of
    theirs on a blog that is still live or paused is re-rendered for open pages (one
    `post.updated` event each); ended blogs keep their record as it was published."""
    if not by.has_perm(
        "liveblog.change_contributor" if contributor.pk else "liveblog.add_contributor"
    ):
        raise PermissionDenied("Only editors can manage contributors.")
    with transaction.atomic():
        before = (
            Contributor.objects.filter(pk=contributor.pk).values(*BYLINE_FIELDS).first()
            if contributor.pk
            else None
        )
        contributor.save()
        if before is None or all(
            before[name] == getattr(contributor, name) for name in BYLINE_FIELDS
        ):
            return contributor
        posts = (
            Post.objects.visible()
            .filter(contributors=contributor)
            .exclude(blog__status=LiveBlog.Status.ENDED)
            .select_related("blog")
            .order_by("blog_id", "published_at", "id")
        )
        for post in posts:
            record_event(post.blog, LiveEvent.Kind.POST_UPDATED, post=post)
    return contributor
