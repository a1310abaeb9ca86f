"""Result cards in posts: a constituency result or an election's scoreboard, attached,
moved and removed like a post's pictures (the post locked, its version moved, one event)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from liveblog.live.events import post_changed
from liveblog.models import Post
from liveblog.permissions import User
from liveblog.services.posts import copy_row, lock_post_for_change
from results.models import (
    MSG_CARD_KIND,
    ConstituencyResult,
    Election,
    PostResultCard,
)


def _cards_changed(post: Post, current: Post, *, by: User) -> None:
    """A card of `current` (locked by lock_post_for_change) changed: a new version of the
    post, as for its media, and its one event."""
    current.version += 1
    current.updated_by = by
    current.save(update_fields=["version", "updated_by", "updated_at"])
    post_changed(current, was_visible=current.is_visible(), was_pinned=current.is_pinned)
    # The caller's post is the one a form goes on editing (the post admin's inlines).
    copy_row(current, post)


def _attach_card(
    post: Post,
    *,
    by: User,
    order: int | None,
    result: ConstituencyResult | None = None,
    election: Election | None = None,
) -> PostResultCard:
    with transaction.atomic():
        current = lock_post_for_change(post, by=by)
        subject = {"result": result} if result is not None else {"election": election}
        card, created = PostResultCard.objects.get_or_create(
            post=current,
            **subject,
            defaults={
                "order": order
                if order is not None
                else PostResultCard.objects.filter(post=current).count()
            },
        )
        if created:
            _cards_changed(post, current, by=by)
    return card


def attach_result_card(
    post: Post,
    result: ConstituencyResult,
    *,
    by: User,
    order: int | None = None,
) -> PostResultCard:
    """Show `result`'s card in `post` (after any cards it already has, unless `order`)."""
    return _attach_card(post, by=by, order=order, result=result)


def attach_scoreboard_card(
    post: Post,
    election: Election,
    *,
    by: User,
    order: int | None = None,
) -> PostResultCard:
    """Show `election`'s national scoreboard in `post`, as attach_result_card does."""
    return _attach_card(post, by=by, order=order, election=election)


def update_result_card(
    card: PostResultCard,
    *,
    by: User,
    order: int,
    result: ConstituencyResult | None = None,
    election: Election | None = None,
) -> PostResultCard:
    """Move a card, or make it show another result or scoreboard (give one, not both)."""
    if result is not None and election is not None:
        raise ValidationError(MSG_CARD_KIND, code="card_kind")
    with transaction.atomic():
        current = lock_post_for_change(card.post, by=by)
        card.order = order
        if result is not None:
            card.result, card.election = result, None
        elif election is not None:
            card.result, card.election = None, election
        card.save(update_fields=["order", "result", "election"])
        _cards_changed(card.post, current, by=by)
    return card


def detach_result_card(card: PostResultCard, *, by: User) -> None:
    """Take a result card or scoreboard off its post."""
    with transaction.atomic():
        current = lock_post_for_change(card.post, by=by)
        PostResultCard.objects.filter(pk=card.pk, post=current).delete()
        _cards_changed(card.post, current, by=by)
