"""Business actions on results: the only code that writes results (the importer aside).

Each action runs in one transaction: it writes the result, keeps a revision saying who
changed what and when, and records a `post.updated` event for every visible live blog
post that shows the result, so open reader pages re-render the card in place.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from liveblog import permissions as liveblog_permissions
from liveblog import services as liveblog_services
from liveblog.live.events import post_changed
from liveblog.models import LiveBlog, Post
from liveblog.services.posts import copy_row, lock_post_for_change
from results.figures import ResultFigures, find_winner
from results.models import (
    MSG_CARD_KIND,
    Candidacy,
    Constituency,
    ConstituencyResult,
    Election,
    Party,
    PostResultCard,
    ResultRevision,
)
from results.revisions import Snapshot, describe_changes, make_snapshot
from results.selectors import get_result_figures

User = AbstractBaseUser

PERM_DECLARE = "results.declare_result"
MSG_CANNOT_DECLARE = "Only editors can enter, declare or correct results."
MSG_NO_CANDIDATES = "Enter at least one candidate before declaring a result."
MSG_NO_VOTES = "Enter the candidates' votes before declaring: nobody has a vote yet."
MSG_DUPLICATE_CANDIDATE = "{name} is entered twice; enter each candidate once."
MSG_NEGATIVE = "{name} has {votes} votes; votes cannot be negative."
MSG_ALREADY_DECLARED = (
    "{seat} has already been declared; correct the result instead of declaring it again."
)
MSG_NOT_DECLARED = "{seat} has not been declared yet; declare it before correcting it."
MSG_DUPLICATE_RESULT = "{seat} already has a result for {election}."
MSG_CANNOT_POST = "Only editors can file the breaking post for a result."


@dataclass(frozen=True)
class CandidateEntry:
    """One candidate's line as an editor (or a file) gives it."""

    name: str
    party: Party
    votes: int
    sitting_mp: bool = False
    won_tie_break: bool = False
    previous_share: Decimal | None = None


def _check_can_declare(by: User) -> None:
    if not (by.is_authenticated and by.has_perm(PERM_DECLARE)):
        raise PermissionDenied(MSG_CANNOT_DECLARE)


def _clean_entries(
    candidates: Sequence[CandidateEntry], *, need_winner: bool
) -> list[CandidateEntry]:
    entries = [
        CandidateEntry(
            name=" ".join(c.name.split()),
            party=c.party,
            votes=c.votes,
            sitting_mp=c.sitting_mp,
            won_tie_break=c.won_tie_break,
            previous_share=c.previous_share,
        )
        for c in candidates
    ]
    seen: set[str] = set()
    for c in entries:
        if c.votes < 0:
            raise ValidationError(
                MSG_NEGATIVE.format(name=c.name, votes=c.votes), code="negative_votes"
            )
        if c.name in seen:
            raise ValidationError(MSG_DUPLICATE_CANDIDATE.format(name=c.name), code="duplicate")
        seen.add(c.name)
    if need_winner:
        if not entries:
            raise ValidationError(MSG_NO_CANDIDATES, code="no_candidates")
        if find_winner(entries) is None:  # raises ValidationError(code="tie") on a tie
            raise ValidationError(MSG_NO_VOTES, code="no_votes")
    return entries


def _snapshot(result: ConstituencyResult) -> Snapshot:
    return make_snapshot(
        status=result.status,
        electorate=result.electorate,
        invalid_votes=result.invalid_votes,
        candidates=[
            {
                "name": c.name,
                "party": c.party.code,
                "votes": c.votes,
                "sitting_mp": c.sitting_mp,
                "won_tie_break": c.won_tie_break,
            }
            for c in result.candidacies.select_related("party")
        ],
    )


def _write_candidacies(result: ConstituencyResult, entries: Iterable[CandidateEntry]) -> None:
    """Make the result's candidacies exactly `entries`, matched by name."""
    existing = {c.name: c for c in result.candidacies.all()}
    keep = []
    # Clear tie-break flags first so the one-winner constraint holds at every step.
    result.candidacies.filter(won_tie_break=True).update(won_tie_break=False)
    for entry in entries:
        row = existing.pop(entry.name, None) or Candidacy(result=result, name=entry.name)
        row.party = entry.party
        row.votes = entry.votes
        row.sitting_mp = entry.sitting_mp
        row.won_tie_break = False
        if entry.previous_share is not None or row.pk is None:
            row.previous_share = entry.previous_share
        row.save()
        keep.append((row, entry.won_tie_break))
    if existing:
        Candidacy.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    for row, won in keep:
        if won:
            row.won_tie_break = True
            row.save(update_fields=["won_tie_break"])


def _add_revision(
    result: ConstituencyResult,
    *,
    kind: ResultRevision.Kind,
    by: User | None,
    before: Snapshot | None,
    note: str = "",
) -> ResultRevision:
    last = result.revisions.order_by("-number").first()
    after = _snapshot(result)
    return ResultRevision.objects.create(
        result=result,
        number=(last.number if last else 0) + 1,
        kind=kind,
        by=by,
        at=timezone.now(),
        note=note[:300],
        snapshot=after,
        changes=describe_changes(before, after),
    )


def record_post_updates_for_results(result_ids: Iterable[int], *, scoreboards: bool = True) -> int:
    """Record `post.updated` for every visible post showing one of these results, or (with
    `scoreboards`) the scoreboard of their election: once per post, whatever it shows.

    Precondition: inside the caller's transaction, after the results are written (the
    event renders the post, cards included, from the database). Returns how many posts.
    """
    ids = list(result_ids)
    if not ids:
        return 0
    showing = Q(result_cards__result_id__in=ids)
    if scoreboards:
        elections = ConstituencyResult.objects.filter(pk__in=ids).values("election_id")
        showing |= Q(result_cards__election_id__in=elections)
    posts = (
        Post.objects.visible()
        .filter(showing)
        .select_related("blog")
        .distinct()
        .order_by("blog_id", "id")
    )
    count = 0
    for post in posts:
        post_changed(post, was_visible=True, was_pinned=post.is_pinned)
        count += 1
    return count


def create_result(
    *,
    election: Election,
    constituency: Constituency,
    by: User,
    electorate: int | None = None,
    previous_winner: Party | None = None,
    candidates: Sequence[CandidateEntry] = (),
    invalid_votes: int = 0,
) -> ConstituencyResult:
    """Open an awaiting result for a seat, optionally with candidates and early figures."""
    _check_can_declare(by)
    entries = _clean_entries(candidates, need_winner=False)
    with transaction.atomic():
        if ConstituencyResult.objects.filter(election=election, constituency=constituency).exists():
            raise ValidationError(
                MSG_DUPLICATE_RESULT.format(seat=constituency, election=election),
                code="duplicate_result",
            )
        result = ConstituencyResult.objects.create(
            election=election,
            constituency=constituency,
            electorate=electorate,
            invalid_votes=invalid_votes,
            previous_winner=previous_winner,
        )
        _write_candidacies(result, entries)
        # A new seat moves the scoreboard's “of N seats”; its own card is in no post yet.
        record_post_updates_for_results([result.pk])
    return result


def set_awaiting_figures(
    result: ConstituencyResult,
    *,
    candidates: Sequence[CandidateEntry],
    electorate: int | None,
    invalid_votes: int = 0,
    by: User,
) -> ConstituencyResult:
    """Change candidates or figures of a result that has not been declared yet."""
    _check_can_declare(by)
    entries = _clean_entries(candidates, need_winner=False)
    with transaction.atomic():
        current = ConstituencyResult.objects.select_for_update().get(pk=result.pk)
        if current.status != ConstituencyResult.Status.AWAITING:
            raise ValidationError(
                MSG_ALREADY_DECLARED.format(seat=current.constituency), code="declared"
            )
        current.electorate = electorate
        current.invalid_votes = invalid_votes
        current.save(update_fields=["electorate", "invalid_votes", "updated_at"])
        _write_candidacies(current, entries)
        # Awaiting seats count in the scoreboard's total only, which this does not change.
        record_post_updates_for_results([current.pk], scoreboards=False)
    _copy(current, result)
    return result


def declare_result(
    result: ConstituencyResult,
    *,
    candidates: Sequence[CandidateEntry],
    electorate: int | None,
    invalid_votes: int = 0,
    by: User,
    declared_at: datetime | None = None,
    announce_in: LiveBlog | None = None,
) -> ConstituencyResult:
    """Declare an awaiting result: figures, revision, live update of every post showing it.

    With `announce_in`, also file a breaking post there (“Conservatives hold Milton Keynes
    South”) with the card attached, in the same transaction.
    """
    _check_can_declare(by)
    entries = _clean_entries(candidates, need_winner=True)
    if announce_in is not None and not by.has_perm("liveblog.flag_post"):
        raise PermissionDenied(MSG_CANNOT_POST)
    with transaction.atomic():
        current = (
            ConstituencyResult.objects.select_for_update()
            .select_related("constituency", "election")
            .get(pk=result.pk)
        )
        if current.status != ConstituencyResult.Status.AWAITING:
            raise ValidationError(
                MSG_ALREADY_DECLARED.format(seat=current.constituency), code="declared"
            )
        before = _snapshot(current)
        current.status = ConstituencyResult.Status.DECLARED
        current.declared_at = declared_at or timezone.now()
        current.electorate = electorate
        current.invalid_votes = invalid_votes
        current.save(
            update_fields=["status", "declared_at", "electorate", "invalid_votes", "updated_at"]
        )
        _write_candidacies(current, entries)
        _add_revision(current, kind=ResultRevision.Kind.DECLARED, by=by, before=before)
        record_post_updates_for_results([current.pk])
        if announce_in is not None:
            _announce(current, blog=announce_in, by=by)
    _copy(current, result)
    return result


def correct_result(
    result: ConstituencyResult,
    *,
    candidates: Sequence[CandidateEntry],
    electorate: int | None,
    invalid_votes: int = 0,
    by: User,
    note: str = "",
) -> ConstituencyResult:
    """Correct a declared result. Keeps a revision of what changed; every post showing the
    result updates, and the scoreboard (derived) follows, HOLD/GAIN included.

    A correction that changes nothing records nothing.
    """
    _check_can_declare(by)
    entries = _clean_entries(candidates, need_winner=True)
    with transaction.atomic():
        current = (
            ConstituencyResult.objects.select_for_update()
            .select_related("constituency")
            .get(pk=result.pk)
        )
        if current.status == ConstituencyResult.Status.AWAITING:
            raise ValidationError(
                MSG_NOT_DECLARED.format(seat=current.constituency), code="not_declared"
            )
        before = _snapshot(current)
        current.electorate = electorate
        current.invalid_votes = invalid_votes
        _write_candidacies(current, entries)
        after = _snapshot(current)
        after["status"] = before["status"]
        if after == before:
            return result
        current.status = ConstituencyResult.Status.CORRECTED
        current.save(update_fields=["status", "electorate", "invalid_votes", "updated_at"])
        _add_revision(current, kind=ResultRevision.Kind.CORRECTED, by=by, before=before, note=note)
        record_post_updates_for_results([current.pk])
    _copy(current, result)
    return result


def enter_result(
    result: ConstituencyResult | None,
    *,
    by: User,
    candidates: Sequence[CandidateEntry],
    electorate: int | None,
    invalid_votes: int = 0,
    declare: bool = False,
    election: Election | None = None,
    constituency: Constituency | None = None,
    previous_winner: Party | None = None,
    announce_in: LiveBlog | None = None,
    note: str = "",
) -> ConstituencyResult:
    """Apply one entry of a seat's result as an editor types it, deciding what it is.

    A new result (`result` None, `election` and `constituency` given) is opened; an awaiting
    one is declared when `declare`, else its figures are kept for later; a declared one is
    corrected (with `note`). One transaction: a refusal (ValidationError, PermissionDenied)
    at any step leaves nothing written, the opened result included. The status is re-read
    here and re-checked under the row lock by the action it chooses.
    """
    with transaction.atomic():
        if result is None:
            if election is None or constituency is None:
                raise TypeError("enter_result needs the election and constituency of a new result")
            result = create_result(
                election=election,
                constituency=constituency,
                electorate=electorate,
                invalid_votes=invalid_votes,
                previous_winner=previous_winner,
                candidates=[] if declare else candidates,
                by=by,
            )
            if not declare:
                return result
        status = ConstituencyResult.objects.values_list("status", flat=True).get(pk=result.pk)
        if status != ConstituencyResult.Status.AWAITING:
            return correct_result(
                result,
                candidates=candidates,
                electorate=electorate,
                invalid_votes=invalid_votes,
                by=by,
                note=note,
            )
        if declare:
            return declare_result(
                result,
                candidates=candidates,
                electorate=electorate,
                invalid_votes=invalid_votes,
                by=by,
                announce_in=announce_in,
            )
        return set_awaiting_figures(
            result, candidates=candidates, electorate=electorate, invalid_votes=invalid_votes, by=by
        )


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


def _announce(result: ConstituencyResult, *, blog: LiveBlog, by: User) -> Post:
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


def _copy(source: ConstituencyResult, target: ConstituencyResult) -> None:
    if source is target:
        return
    for f in ConstituencyResult._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
