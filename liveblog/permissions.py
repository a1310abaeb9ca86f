"""Who may do what to posts. Used by the services (the rule) and the admin (the display)."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from liveblog.models import Contributor, LiveBlog, Post

User = AbstractBaseUser | AnonymousUser

REPORTER_GROUP = "Reporter"
EDITOR_GROUP = "Editor"


# What a reporter may still change of their own post on a blog that requires approval.
_BEFORE_APPROVAL = frozenset({Post.Status.DRAFT, Post.Status.SUBMITTED})


def can_edit_post(user: User, post: Post) -> bool:
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


def can_see_post(user: User, post: Post) -> bool:
    """Whether `user` may see `post` whatever its state: editors any, reporters their own."""
    if not user.is_authenticated:
        return False
    return user.has_perm("liveblog.edit_any_post") or post.created_by_id == user.pk


def can_approve_post(user: User) -> bool:
    """Approving, sending back and discarding posts waiting for approval is an editor's call."""
    return user.is_authenticated and user.has_perm("liveblog.approve_post")


def needs_approval(user: User, blog: LiveBlog) -> bool:
    """Whether what `user` publishes on `blog` waits for an editor's approval."""
    return blog.requires_approval and not can_approve_post(user)


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
