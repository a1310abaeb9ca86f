"""Who may do what to posts. Used by the services (the rule) and the admin (the display)."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from liveblog.models import Contributor, Post

User = AbstractBaseUser | AnonymousUser

REPORTER_GROUP = "Reporter"
EDITOR_GROUP = "Editor"


def can_edit_post(user: User, post: Post) -> bool:
    """Reporters change their own posts; editors change anyone's."""
    if not user.is_authenticated or not user.has_perm("liveblog.change_post"):
        return False
    return user.has_perm("liveblog.edit_any_post") or post.created_by_id == user.pk


def can_delete_post(user: User, post: Post) -> bool:
    if not user.is_authenticated or not user.has_perm("liveblog.delete_post"):
        return False
    return user.has_perm("liveblog.edit_any_post") or post.created_by_id == user.pk


def can_see_unpublished_posts(user: User) -> bool:
    """Editors see everyone's drafts and scheduled posts; reporters only their own."""
    return user.is_authenticated and user.has_perm("liveblog.edit_any_post")


def can_pin_post(user: User) -> bool:
    return user.is_authenticated and user.has_perm("liveblog.pin_post")


def can_flag_post(user: User) -> bool:
    """Marking breaking or key event is an editor's call."""
    return user.is_authenticated and user.has_perm("liveblog.flag_post")


def can_sign_with_any_byline(user: User) -> bool:
    return user.is_authenticated and user.has_perm("liveblog.edit_any_post")


def allowed_bylines(user: User) -> QuerySet[Contributor]:
    """The contributors `user` may sign a post with: any for editors; for a reporter their
    own byline and those an editor has linked to them (Contributor.signers)."""
    if can_sign_with_any_byline(user):
        return Contributor.objects.all()
    if not user.is_authenticated:
        return Contributor.objects.none()
    return Contributor.objects.filter(
        pk__in=Contributor.objects.filter(Q(user_id=user.pk) | Q(signers=user.pk)).values("pk")
    )
