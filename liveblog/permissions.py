"""Who may do what to posts. Used by the services (the rule) and the admin (the display)."""

from django.contrib.auth import models as auth_models
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from rest_framework.request import Request

from liveblog.models import Contributor, LiveBlog, Post

# The project keeps Django's own user model (the settings set no AUTH_USER_MODEL). Named once
# here: `User` is who acts in a service; `AnyUser` whoever makes a request, signed in or not
# (every check below answers False for an AnonymousUser).
User = auth_models.User
AnyUser = auth_models.User | auth_models.AnonymousUser

REPORTER_GROUP = "Reporter"
EDITOR_GROUP = "Editor"


# What a reporter may still change of their own post on a blog that requires approval.
_BEFORE_APPROVAL = frozenset({Post.Status.DRAFT, Post.Status.SUBMITTED})


def can_edit_post(user: AnyUser, post: Post) -> bool:
    """Reporters change their own posts; editors change anyone's. On a blog that requires
    approval, a reporter's post is theirs only until it is approved (else an approved post
    could be rewritten without review)."""
    if not user.is_authenticated or not user.has_perm("liveblog.change_post"):
        return False
    if user.has_perm("liveblog.edit_any_post"):
        return True
    if post.created_by_id != user.pk:
        return False
    return post.status in _BEFORE_APPROVAL or not needs_approval(user, post.blog)


def can_see_post(user: AnyUser, post: Post) -> bool:
    """Whether `user` may see `post` whatever its state: editors any, reporters their own."""
    if not user.is_authenticated:
        return False
    return user.has_perm("liveblog.edit_any_post") or post.created_by_id == user.pk


def can_approve_post(user: AnyUser) -> bool:
    """Approving, sending back and discarding posts waiting for approval is an editor's call."""
    return user.is_authenticated and user.has_perm("liveblog.approve_post")


def needs_approval(user: AnyUser, blog: LiveBlog) -> bool:
    """Whether what `user` publishes on `blog` waits for an editor's approval."""
    return blog.requires_approval and not can_approve_post(user)


def can_delete_post(user: AnyUser, post: Post) -> bool:
    if not user.is_authenticated or not user.has_perm("liveblog.delete_post"):
        return False
    return user.has_perm("liveblog.edit_any_post") or post.created_by_id == user.pk


def can_see_unpublished_posts(user: AnyUser) -> bool:
    """Editors see everyone's drafts and scheduled posts; reporters only their own."""
    return user.is_authenticated and user.has_perm("liveblog.edit_any_post")


def can_pin_post(user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm("liveblog.pin_post")


def can_flag_post(user: AnyUser) -> bool:
    """Marking breaking or key event is an editor's call."""
    return user.is_authenticated and user.has_perm("liveblog.flag_post")


def can_sign_with_any_byline(user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm("liveblog.edit_any_post")


def allowed_bylines(user: AnyUser) -> QuerySet[Contributor]:
    """The contributors `user` may sign a post with: any for editors; for a reporter their
    own byline and those an editor has linked to them (Contributor.signers)."""
    if can_sign_with_any_byline(user):
        return Contributor.objects.all()
    if not user.is_authenticated:
        return Contributor.objects.none()
    return Contributor.objects.filter(
        pk__in=Contributor.objects.filter(Q(user_id=user.pk) | Q(signers=user.pk)).values("pk")
    )


def acting_user(request: HttpRequest | Request) -> User:
    """The signed-in user behind a request to the admin or the write API (both serve only
    signed-in users): what the services take as `by`. Anyone else is refused."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user
