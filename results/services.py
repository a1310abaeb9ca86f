"""Business actions on results: the only code that writes results.

The admin, the importers (results.importers) and the feeds all enter results here. Each
action runs in one transaction: it locks the result's row, writes it, keeps a revision
saying who changed what and when, and records a `post.updated` event for every visible live
blog post that shows the result, so open reader pages re-render the card in place.

`by` is the editor acting; `by=None` is an import from a results file, run from the command
line by whoever may run it (its revisions are of kind “imported”, with no editor).
"""

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from liveblog import permissions as liveblog_permissions
from liveblog import services as liveblog_services
from liveblog.live.events import post_changed
from liveblog.models import LiveBlog, Post
from liveblog.permissions import User
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
SHARE_PLACES = Decimal("0.000001")  # Candidacy.previous_share keeps six decimal places


@dataclass(frozen=True)
class CandidateEntry:
    """One candidate's line as an editor (or a file) gives it."""

    name: str
    party: Party
    votes: int
    sitting_mp: bool = False
    won_tie_break: bool = False
    previous_share: Decimal | None = None


class Entered(enum.Enum):
    """What enter_result made of an entry."""

    OPENED = "opened"  # a new result, awaiting its declaration
    KEPT = "kept"  # an awaiting result's figures, kept for the declaration
    DECLARED = "declared"
    CORRECTED = "corrected"
    REBASED = "rebased"  # only the baseline (previous winner, previous shares) changed
    UNCHANGED = "unchanged"  # a declared result entered as it already stands


@dataclass(frozen=True)
class EnteredResult:
    result: ConstituencyResult
    outcome: Entered


def _check_can_declare(by: User | None) -> None:
    if by is None:  # an import (see the module docstring)
        return
    if not (by.is_authenticated and by.has_perm(PERM_DECLARE)):
        raise PermissionDenied(MSG_CANNOT_DECLARE)


def _check_can_announce(by: User | None) -> None:
    if by is None or not by.has_perm("liveblog.flag_post"):
        raise PermissionDenied(MSG_CANNOT_POST)


def _revision_kind(by: User | None, kind: ResultRevision.Kind) -> ResultRevision.Kind:
    return ResultRevision.Kind.IMPORTED if by is None else kind


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
            previous_share=None
            if c.previous_share is None
            else c.previous_share.quantize(SHARE_PLACES),
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


def _candidacies(result: ConstituencyResult) -> dict[str, Candidacy]:
    """The result's candidacies as they stand, by name, with their parties."""
    return {c.name: c for c in result.candidacies.select_related("party")}


def _snapshot(
    result: ConstituencyResult, candidates: Iterable[Candidacy | CandidateEntry]
) -> Snapshot:
    """The result's figures with these candidates (its rows, or the entries being written)."""
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
            for c in candidates
        ],
    )


def _write_candidacies(
    result: ConstituencyResult, entries: Sequence[CandidateEntry], existing: dict[str, Candidacy]
) -> None:
    """Make the result's candidacies exactly `entries`, matched by name, given `existing`
    (its rows as they stand): a query per kind of change, none for rows that stay as they
    are. An entry without a previous share keeps the row's."""
    wanted = {entry.name for entry in entries}
    gone = [row.pk for name, row in existing.items() if name not in wanted]
    if gone:
        Candidacy.objects.filter(pk__in=gone).delete()
    # Clear tie-break flags first so the one-winner constraint holds at every step.
    drawn = [row for name, row in existing.items() if row.won_tie_break and name in wanted]
    if drawn:
        Candidacy.objects.filter(pk__in=[row.pk for row in drawn]).update(won_tie_break=False)
        for drawn_row in drawn:
            drawn_row.won_tie_break = False
    new: list[Candidacy] = []
    changed: list[Candidacy] = []
    for entry in entries:
        row = existing.get(entry.name)
        if row is None:
            new.append(
                Candidacy(
                    result=result,
                    name=entry.name,
                    party=entry.party,
                    votes=entry.votes,
                    sitting_mp=entry.sitting_mp,
                    previous_share=entry.previous_share,
                )
            )
            continue
        share = row.previous_share if entry.previous_share is None else entry.previous_share
        if (row.party_id, row.votes, row.sitting_mp, row.previous_share) != (
            entry.party.pk,
            entry.votes,
            entry.sitting_mp,
            share,
        ):
            row.party, row.votes, row.sitting_mp = entry.party, entry.votes, entry.sitting_mp
            row.previous_share = share
            changed.append(row)
    if changed:
        Candidacy.objects.bulk_update(changed, ["party", "votes", "sitting_mp", "previous_share"])
    if new:
        Candidacy.objects.bulk_create(new)
    drawn_name = next((entry.name for entry in entries if entry.won_tie_break), None)
    if drawn_name is not None:
        Candidacy.objects.filter(result=result, name=drawn_name).update(won_tie_break=True)


def _baseline_changes(
    result: ConstituencyResult,
    entries: Sequence[CandidateEntry],
    existing: dict[str, Candidacy],
    previous_winner: Party | None,
) -> bool:
    """Whether the entry moves the baseline (previous winner, previous shares)."""
    if previous_winner is not None and previous_winner.pk != result.previous_winner_id:
        return True
    return any(
        entry.previous_share is not None
        and entry.name in existing
        and existing[entry.name].previous_share != entry.previous_share
        for entry in entries
    )


def _add_revision(
    result: ConstituencyResult,
    *,
    kind: ResultRevision.Kind,
    by: User | None,
    before: Snapshot | None,
    after: Snapshot,
    note: str = "",
) -> ResultRevision:
    """Precondition: the result's row is locked (revision numbers follow one another)."""
    last = 0
    if before is not None:
        last = result.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return ResultRevision.objects.create(
        result=result,
        number=last + 1,
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
    showing = Q(result_id__in=ids)
    if scoreboards:
        elections = ConstituencyResult.objects.filter(pk__in=ids).values("election_id")
        showing |= Q(election_id__in=elections)
    # The cards first, in a query cheap to build and run: most results are in no post (an
    # import enters every seat of an election), and then no posts query is needed.
    post_ids = set(PostResultCard.objects.filter(showing).values_list("post_id", flat=True))
    if not post_ids:
        return 0
    posts = (
        Post.objects.visible()
        .filter(pk__in=post_ids)
        .select_related("blog")
        .order_by("blog_id", "id")
    )
    count = 0
    for post in posts:
        post_changed(post, was_visible=True, was_pinned=post.is_pinned)
        count += 1
    return count


def _lock_election(election_id: int) -> None:
    """Take the election's row lock, before any of its results: every results writer takes
    it first, so writers of one election queue in one order (election, result, posts) and
    none can hold a result while waiting for the election. Precondition: inside atomic()."""
    list(Election.objects.select_for_update().filter(pk=election_id).values_list("pk"))


def _result_changed(result: ConstituencyResult, *, scoreboard: bool = True) -> None:
    """What every change of a result shows readers: a new results version of its election
    (the results pages' ETag, results.caching) and the posts showing it. `scoreboard`:
    whether it can move the election's scoreboard (awaiting figures cannot)."""
    Election.objects.filter(pk=result.election_id).update(
        results_version=F("results_version") + 1, results_changed_at=timezone.now()
    )
    record_post_updates_for_results([result.pk], scoreboards=scoreboard)


# The steps of a result's life. Each runs inside the caller's transaction, with entries
# already cleaned, and re-reads the result under its row lock before deciding anything.


def _open(
    *,
    election: Election,
    constituency: Constituency,
    entries: Sequence[CandidateEntry],
    electorate: int | None,
    invalid_votes: int,
    previous_winner: Party | None,
    declared_at: datetime | None,
    by: User | None,
    note: str,
) -> ConstituencyResult:
    """A new result: awaiting, or declared at `declared_at`."""
    _lock_election(election.pk)
    if ConstituencyResult.objects.filter(election=election, constituency=constituency).exists():
        raise ValidationError(
            MSG_DUPLICATE_RESULT.format(seat=constituency, election=election),
            code="duplicate_result",
        )
    status = ConstituencyResult.Status.AWAITING
    if declared_at is not None:
        status = ConstituencyResult.Status.DECLARED
    result = ConstituencyResult.objects.create(
        election=election,
        constituency=constituency,
        status=status,
        declared_at=declared_at,
        electorate=electorate,
        invalid_votes=invalid_votes,
        previous_winner=previous_winner,
    )
    _write_candidacies(result, entries, {})
    if declared_at is not None:
        kind = _revision_kind(by, ResultRevision.Kind.DECLARED)
        after = _snapshot(result, entries)
        _add_revision(result, kind=kind, by=by, before=None, after=after, note=note)
    # Even awaiting, a new seat moves the scoreboard's “of N seats”.
    _result_changed(result)
    return result


def _lock(result: ConstituencyResult) -> ConstituencyResult:
    """The result as it stands, its row locked (after its election's)."""
    _lock_election(result.election_id)
    return (
        ConstituencyResult.objects.select_for_update()
        .select_related("constituency", "election")
        .get(pk=result.pk)
    )


def _keep_awaiting_figures(
    result: ConstituencyResult,
    *,
    entries: Sequence[CandidateEntry],
    electorate: int | None,
    invalid_votes: int,
) -> ConstituencyResult:
    current = _lock(result)
    if current.status != ConstituencyResult.Status.AWAITING:
        raise ValidationError(
            MSG_ALREADY_DECLARED.format(seat=current.constituency), code="declared"
        )
    existing = _candidacies(current)
    current.electorate = electorate
    current.invalid_votes = invalid_votes
    current.save(update_fields=["electorate", "invalid_votes", "updated_at"])
    _write_candidacies(current, entries, existing)
    # Awaiting seats count in the scoreboard's total only, which this does not change.
    _result_changed(current, scoreboard=False)
    return current


def _declare(
    result: ConstituencyResult,
    *,
    entries: Sequence[CandidateEntry],
    electorate: int | None,
    invalid_votes: int,
    previous_winner: Party | None,
    declared_at: datetime | None,
    by: User | None,
    note: str,
) -> ConstituencyResult:
    current = _lock(result)
    if current.status != ConstituencyResult.Status.AWAITING:
        raise ValidationError(
            MSG_ALREADY_DECLARED.format(seat=current.constituency), code="declared"
        )
    existing = _candidacies(current)
    before = _snapshot(current, existing.values())
    current.status = ConstituencyResult.Status.DECLARED
    current.declared_at = declared_at or timezone.now()
    current.electorate = electorate
    current.invalid_votes = invalid_votes
    if previous_winner is not None:
        current.previous_winner = previous_winner
    current.save(
        update_fields=[
            "status",
            "declared_at",
            "electorate",
            "invalid_votes",
            "previous_winner",
            "updated_at",
        ]
    )
    _write_candidacies(current, entries, existing)
    kind = _revision_kind(by, ResultRevision.Kind.DECLARED)
    after = _snapshot(current, entries)
    _add_revision(current, kind=kind, by=by, before=before, after=after, note=note)
    _result_changed(current)
    return current


def _correct(
    result: ConstituencyResult,
    *,
    entries: Sequence[CandidateEntry],
    electorate: int | None,
    invalid_votes: int,
    previous_winner: Party | None,
    by: User | None,
    note: str,
) -> tuple[ConstituencyResult, Entered]:
    current = _lock(result)
    if current.status == ConstituencyResult.Status.AWAITING:
        raise ValidationError(
            MSG_NOT_DECLARED.format(seat=current.constituency), code="not_declared"
        )
    existing = _candidacies(current)
    before = _snapshot(current, existing.values())
    current.electorate = electorate
    current.invalid_votes = invalid_votes
    corrected = _snapshot(current, entries) != before
    if not corrected and not _baseline_changes(current, entries, existing, previous_winner):
        return current, Entered.UNCHANGED
    if corrected:
        current.status = ConstituencyResult.Status.CORRECTED
    if previous_winner is not None:
        current.previous_winner = previous_winner
    current.save(
        update_fields=["status", "electorate", "invalid_votes", "previous_winner", "updated_at"]
    )
    _write_candidacies(current, entries, existing)
    if corrected:
        kind = _revision_kind(by, ResultRevision.Kind.CORRECTED)
        after = _snapshot(current, entries)
        _add_revision(current, kind=kind, by=by, before=before, after=after, note=note)
    # The scoreboard (derived) follows, HOLD/GAIN included.
    _result_changed(current)
    return current, Entered.CORRECTED if corrected else Entered.REBASED


# The actions ---------------------------------------------------------------------------------


def create_result(
    *,
    election: Election,
    constituency: Constituency,
    by: User | None,
    electorate: int | None = None,
    previous_winner: Party | None = None,
    candidates: Sequence[CandidateEntry] = (),
    invalid_votes: int = 0,
) -> ConstituencyResult:
    """Open an awaiting result for a seat, optionally with candidates and early figures."""
    _check_can_declare(by)
    entries = _clean_entries(candidates, need_winner=False)
    with transaction.atomic():
        return _open(
            election=election,
            constituency=constituency,
            entries=entries,
            electorate=electorate,
            invalid_votes=invalid_votes,
            previous_winner=previous_winner,
            declared_at=None,
            by=by,
            note="",
        )


def set_awaiting_figures(
    result: ConstituencyResult,
    *,
    candidates: Sequence[CandidateEntry],
    electorate: int | None,
    invalid_votes: int = 0,
    by: User | None,
) -> ConstituencyResult:
    """Change candidates or figures of a result that has not been declared yet."""
    _check_can_declare(by)
    entries = _clean_entries(candidates, need_winner=False)
    with transaction.atomic():
        current = _keep_awaiting_figures(
            result, entries=entries, electorate=electorate, invalid_votes=invalid_votes
        )
    _copy(current, result)
    return result


def declare_result(
    result: ConstituencyResult,
    *,
    candidates: Sequence[CandidateEntry],
    electorate: int | None,
    invalid_votes: int = 0,
    by: User | None,
    declared_at: datetime | None = None,
    announce_in: LiveBlog | None = None,
    note: str = "",
) -> ConstituencyResult:
    """Declare an awaiting result: figures, revision, live update of every post showing it.

    With `announce_in`, also file a breaking post there (“Conservatives hold Milton Keynes
    South”) with the card attached, in the same transaction.
    """
    _check_can_declare(by)
    entries = _clean_entries(candidates, need_winner=True)
    if announce_in is not None:
        _check_can_announce(by)
    with transaction.atomic():
        current = _declare(
            result,
            entries=entries,
            electorate=electorate,
            invalid_votes=invalid_votes,
            previous_winner=None,
            declared_at=declared_at,
            by=by,
            note=note,
        )
        if announce_in is not None:  # _check_can_announce refused by=None
            _announce(current, blog=announce_in, by=by)  # type: ignore[arg-type]
    _copy(current, result)
    return result


def correct_result(
    result: ConstituencyResult,
    *,
    candidates: Sequence[CandidateEntry],
    electorate: int | None,
    invalid_votes: int = 0,
    by: User | None,
    note: str = "",
) -> ConstituencyResult:
    """Correct a declared result. Keeps a revision of what changed; every post showing the
    result updates, and the scoreboard (derived) follows, HOLD/GAIN included.

    A correction that changes nothing records nothing.
    """
    _check_can_declare(by)
    entries = _clean_entries(candidates, need_winner=True)
    with transaction.atomic():
        current, outcome = _correct(
            result,
            entries=entries,
            electorate=electorate,
            invalid_votes=invalid_votes,
            previous_winner=None,
            by=by,
            note=note,
        )
    if outcome is not Entered.UNCHANGED:
        _copy(current, result)
    return result


def enter_result(
    result: ConstituencyResult | None,
    *,
    by: User | None,
    candidates: Sequence[CandidateEntry],
    electorate: int | None,
    invalid_votes: int = 0,
    declare: bool = False,
    declared_at: datetime | None = None,
    election: Election | None = None,
    constituency: Constituency | None = None,
    previous_winner: Party | None = None,
    announce_in: LiveBlog | None = None,
    note: str = "",
) -> EnteredResult:
    """Apply one entry of a seat's result, as an editor types it or a file gives it,
    deciding what it is.

    A new result (`result` None, `election` and `constituency` given) is opened, or opened
    declared when `declare`; an awaiting one is declared when `declare`, else its figures
    are kept for later; a declared one is corrected (with `note`), or left alone if the
    entry is what it already shows. `declared_at` (default now) is the declaration's time;
    `previous_winner` sets the baseline when given (None keeps it). One transaction: a
    refusal (ValidationError, PermissionDenied) at any step leaves nothing written. The
    status is re-read under the row lock by the step it chooses.
    """
    _check_can_declare(by)
    if announce_in is not None:
        _check_can_announce(by)
    with transaction.atomic():
        if result is None:
            if election is None or constituency is None:
                raise TypeError("enter_result needs the election and constituency of a new result")
            current = _open(
                election=election,
                constituency=constituency,
                entries=_clean_entries(candidates, need_winner=declare),
                previous_winner=previous_winner,
                declared_at=(declared_at or timezone.now()) if declare else None,
                by=by,
                note=note,
                electorate=electorate,
                invalid_votes=invalid_votes,
            )
            outcome = Entered.DECLARED if declare else Entered.OPENED
        else:
            status = ConstituencyResult.objects.values_list("status", flat=True).get(pk=result.pk)
            if status != ConstituencyResult.Status.AWAITING:
                current, outcome = _correct(
                    result,
                    entries=_clean_entries(candidates, need_winner=True),
                    previous_winner=previous_winner,
                    by=by,
                    note=note,
                    electorate=electorate,
                    invalid_votes=invalid_votes,
                )
            elif declare:
                current = _declare(
                    result,
                    entries=_clean_entries(candidates, need_winner=True),
                    previous_winner=previous_winner,
                    declared_at=declared_at,
                    by=by,
                    note=note,
                    electorate=electorate,
                    invalid_votes=invalid_votes,
                )
                outcome = Entered.DECLARED
            else:
                current = _keep_awaiting_figures(
                    result,
                    entries=_clean_entries(candidates, need_winner=False),
                    electorate=electorate,
                    invalid_votes=invalid_votes,
                )
                outcome = Entered.KEPT
        if outcome is Entered.DECLARED and announce_in is not None:
            _announce(current, blog=announce_in, by=by)  # type: ignore[arg-type]  # as above
    if result is None:
        return EnteredResult(current, outcome)
    _copy(current, result)
    return EnteredResult(result, outcome)


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
