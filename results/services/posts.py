"""The posts results put in live blogs: the breaking post that announces a declaration,
and a result or the scoreboard pinned to the top of a blog."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from liveblog import permissions as liveblog_permissions
from liveblog import services as liveblog_services
from liveblog.models import LiveBlog, Post
from liveblog.permissions import User
from results.figures import ResultFigures
from results.models import (
    ConstituencyResult,
    Election,
    PostResultCard,
)
from results.selectors import get_result_figures


def announcement_headline(figures: ResultFigures) -> str:
    """“Conservatives hold Milton Keynes South”, “Labour gain Bedford from Conservatives”,
    from a declared result's figures (results.selectors.get_result_figures)."""
    assert figures.winner is not None
    party = figures.winner.party.headline_name
    seat = figures.result.constituency.name
    if figures.gained_from is not None:
        text = f"{party} gain {seat} from {figures.gained_from.headline_name}"
    elif figures.outcome == "HOLD":
        text = f"{party} hold {seat}"
    else:
        text = f"{party} win {seat}"
    return text[:1].upper() + text[1:]


def announce_result(result: ConstituencyResult, *, blog: LiveBlog, by: User) -> Post:
    figures = get_result_figures(result)
    assert figures.winner is not None
    verb = "holds" if figures.outcome == "HOLD" else "wins"
    # Filed as a draft, the card attached, then published: one published event, card in it.
    post = liveblog_services.create_post(
        blog=blog,
        by=by,
        headline=announcement_headline(figures),
        body=f"<p>{figures.winner.name} ({figures.winner.party.code.title()}) {verb} "
        f"{result.constituency.name}.</p>",
        status=Post.Status.DRAFT,
        is_breaking=True,
    )
    PostResultCard.objects.create(post=post, result=result, order=0)
    liveblog_services.publish_post(post, by=by)
    return post


# Pinning a result or the scoreboard to the top of a live blog --------------------------------

MSG_SCOREBOARD_HEADLINE = "{election}: the national picture"
MSG_AWAITING_HEADLINE = "{seat}: awaiting the result"


def pin_result_to_blog(subject: ConstituencyResult | Election, *, blog: LiveBlog, by: User) -> Post:
    """File a post in `blog` carrying `subject`'s card (a constituency result, or an
    election's national scoreboard) and pin it to the top, unpinning whatever was pinned.

    One transaction: the post is filed as a draft with its card, published (one
    `post.published` with the card in it), then pinned through liveblog.services.
    """
    if not liveblog_permissions.can_pin_post(by):
        raise PermissionDenied(liveblog_services.MSG_CANNOT_PIN)
    if isinstance(subject, Election):
        headline = MSG_SCOREBOARD_HEADLINE.format(election=subject.name)
        card: dict[str, ConstituencyResult | Election] = {"election": subject}
    else:
        figures = get_result_figures(subject)
        result = figures.result
        if result.status == ConstituencyResult.Status.AWAITING:
            headline = MSG_AWAITING_HEADLINE.format(seat=result.constituency.name)
        else:
            headline = announcement_headline(figures)
        card = {"result": result}
    with transaction.atomic():
        post = liveblog_services.create_post(
            blog=blog, by=by, headline=headline, status=Post.Status.DRAFT
        )
        PostResultCard.objects.create(post=post, order=0, **card)
        liveblog_services.publish_post(post, by=by)
        liveblog_services.pin_post(post, by=by)
    return post
