"""A result's life: entered, awaiting its figures, rushed, declared, corrected, recounted.

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

from liveblog.live.events import post_changed
from liveblog.models import LiveBlog, Post
from liveblog.permissions import User
from liveblog.services.posts import copy_row
from results.figures import find_winner
from results.models import (
    Candidacy,
    Constituency,
    ConstituencyResult,
    Election,
    Party,
    PostResultCard,
    ResultRevision,
)
from results.revisions import Snapshot, describe_changes, make_snapshot
from results.services.posts import announce_result

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
    RECOUNT_ENDED = "recount ended"  # the figures as they stood, confirmed after a recount
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


def _lock_awaiting(result: ConstituencyResult) -> ConstituencyResult:
    """`_lock`, refusing a result that has been declared meanwhile."""
    current = _lock(result)
    if current.status != ConstituencyResult.Status.AWAITING:
        raise ValidationError(
            MSG_ALREADY_DECLARED.format(seat=current.constituency), code="declared"
        )
    return current


def _keep_awaiting_figures(
    result: ConstituencyResult,
    *,
    entries: Sequence[CandidateEntry],
    electorate: int | None,
    invalid_votes: int,
) -> ConstituencyResult:
    current = _lock_awaiting(result)
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
    current = _lock_awaiting(result)
    existing = _candidacies(current)
    before = _snapshot(current, existing.values())
    current.status = ConstituencyResult.Status.DECLARED
    current.declared_at = declared_at or timezone.now()
    current.electorate = electorate
    current.invalid_votes = invalid_votes
    if previous_winner is not None:
        current.previous_winner = previous_winner
    # The figures are in: a rush's “full result to follow” and any recount are over.
    current.rush_winner = None
    current.recount_called_at = None
    current.save(
        update_fields=[
            "status",
            "declared_at",
            "electorate",
            "invalid_votes",
            "previous_winner",
            "rush_winner",
            "recount_called_at",
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
    # The next result ends a recount, even when the recount confirmed the figures.
    ends_recount = current.recount_called_at is not None
    rebased = _baseline_changes(current, entries, existing, previous_winner)
    if not corrected and not rebased and not ends_recount:
        return current, Entered.UNCHANGED
    if corrected:
        current.status = ConstituencyResult.Status.CORRECTED
    if previous_winner is not None:
        current.previous_winner = previous_winner
    current.recount_called_at = None
    current.save(
        update_fields=[
            "status",
            "electorate",
            "invalid_votes",
            "previous_winner",
            "recount_called_at",
            "updated_at",
        ]
    )
    _write_candidacies(current, entries, existing)
    if corrected:
        kind = _revision_kind(by, ResultRevision.Kind.CORRECTED)
        after = _snapshot(current, entries)
        _add_revision(current, kind=kind, by=by, before=before, after=after, note=note)
    # The scoreboard (derived) follows, HOLD/GAIN included.
    _result_changed(current)
    if corrected:
        return current, Entered.CORRECTED
    return current, Entered.REBASED if rebased else Entered.RECOUNT_ENDED


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
    copy_row(current, result)
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
            announce_result(current, blog=announce_in, by=by)  # type: ignore[arg-type]
    copy_row(current, result)
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

    A correction that changes nothing records nothing, unless it ends a recount (the
    recount confirmed the figures): then the cards update, with no revision.
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
        copy_row(current, result)
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
            announce_result(current, blog=announce_in, by=by)  # type: ignore[arg-type]  # as above
    if result is None:
        return EnteredResult(current, outcome)
    copy_row(current, result)
    return EnteredResult(result, outcome)


# PA's flashes before the figures: a rush, a recount ------------------------------------------

MSG_RUSH_DECLARED = "{seat} has been declared; a rush only comes before the full result."
MSG_RUSH_NOT_STANDING = "The rush names {party} as the winner, but no {party} candidate stands."


def flash_rush(
    result: ConstituencyResult,
    *,
    winner: Party,
    by: User | None,
    previous_winner: Party | None = None,
) -> ConstituencyResult:
    """Mark an awaiting seat as won by `winner`, full figures to follow (PA's rush): cards
    show the winner and HOLD/GAIN, the scoreboard counts the seat; its declaration ends
    it. `previous_winner` fills the seat's previous winner when it is not known yet.

    Refuses (ValidationError) a declared seat, and a winner whose party has no candidate
    when the candidates are known.
    """
    _check_can_declare(by)
    with transaction.atomic():
        current = _lock(result)
        if current.status != ConstituencyResult.Status.AWAITING:
            raise ValidationError(
                MSG_RUSH_DECLARED.format(seat=current.constituency), code="declared"
            )
        standing = set(current.candidacies.values_list("party_id", flat=True))
        if standing and winner.pk not in standing:
            raise ValidationError(
                MSG_RUSH_NOT_STANDING.format(party=winner.code), code="rush_not_standing"
            )
        current.rush_winner = winner
        fields = ["rush_winner", "updated_at"]
        if previous_winner is not None and current.previous_winner_id is None:
            current.previous_winner = previous_winner
            fields.append("previous_winner")
        current.save(update_fields=fields)
        _result_changed(current)
    copy_row(current, result)
    return result


def call_recount(result: ConstituencyResult, *, by: User | None) -> ConstituencyResult:
    """Mark a seat as being recounted: every card says so until its next result (its
    declaration or correction ends it)."""
    _check_can_declare(by)
    with transaction.atomic():
        current = _lock(result)
        current.recount_called_at = timezone.now()
        current.save(update_fields=["recount_called_at", "updated_at"])
        _result_changed(current, scoreboard=False)  # the seat's count stands meanwhile
    copy_row(current, result)
    return result
