"""Applying PA Media's files to results: the services the folder watcher calls.

`ingest_file` takes one delivered file (its bytes and name) and, in one transaction, reads
it (results.feeds.pa), places its seat through the PA seat lookup, decides what it means
against what was applied before, applies it through the results services and writes one
`IngestLog` entry. Nothing else here writes, and every write goes through a service:

- nominations open or update an awaiting seat's candidates (`services.enter_result`);
- a rush marks the winner, full figures to follow (`services.flash_rush`);
- a result declares the seat or, once declared, corrects it (`services.enter_result`, the
  admin's path): revisions are kept and every open page updates;
- a recount marks the seat until its next result (`services.call_recount`).

Per seat and kind, a file is applied only if its revision is higher than every one applied
before; a lower or equal one is logged as ignored. A result always supersedes a rush.

Two watchers on one folder: each file's transaction first locks the seat's lookup row, so
two files of one seat are applied one after the other, and `IngestLog`'s unique constraints
mean a file (name and content) is logged, and so applied, once: the second watcher's insert
fails and its transaction, with anything it applied, rolls back.
"""

import csv
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from liveblog.live.events import one_event_per_post
from liveblog.permissions import User
from results import services
from results.feeds.pa import (
    HOC_CODES,
    PAConstituency,
    PAFileError,
    PAMessage,
    PANominations,
    PARecount,
    PAResult,
    PARush,
    PASeatMessage,
    parse_file_name,
    parse_message,
)
from results.models import (
    Constituency,
    ConstituencyResult,
    Election,
    IngestLog,
    Party,
    PASeat,
)
from results.parties import PartyResolver, ensure_known_parties
from results.services import CandidateEntry

FEED_USERNAME = "pa-feed"

MSG_OLD_REVISION = "Revision {revision} is not newer than revision {last}, already applied."
MSG_RUSH_AFTER_RESULT = "The full result is in; a rush never replaces it."
MSG_NOMINATIONS_DECLARED = "The seat has been declared; its candidates come from the result."
MSG_SOP_NOT_APPLIED = "State of parties: the scoreboard counts the seats themselves."
MSG_TURNOUT_BELOW_VOTES = (
    "The turnout ({turnout:,}) is below the candidates' votes ({votes:,}); the figures "
    "cannot both be right."
)
MSG_UNKNOWN_SEAT = (
    "PA seat {number} ({name}) is not in the PA seat lookup; add it under PA seats in the "
    "admin (or manage.py load_pa_seats)."
)
MSG_SEAT_MISMATCH = "PA seat {number} is {known} in the PA seat lookup, but the file says {name}."
MSG_OTHER_ELECTION = "The file is for the election of {theirs}, not {ours} ({name})."
MSG_LOOKUP_ROW = "Row {row}: {reason}"


def is_live(election: Election) -> bool:
    """From polling day on, PA's test-account files are refused (before it, they are PA's
    test rounds and are applied, for rehearsing the desk)."""
    return timezone.localdate() >= election.date


def ensure_feed_user() -> User:
    """The account the watcher declares as by default: created (no password, only the
    right to declare results) when it does not exist yet."""
    user, created = User.objects.get_or_create(username=FEED_USERNAME)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="results", codename="declare_result")
        )
    return User.objects.get(pk=user.pk)  # fresh: permissions are cached per instance


# The seat lookup -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatLookupImport:
    rows: int
    changed: bool


def import_pa_seats(path: Path) -> SeatLookupImport:
    """Load the PA seat lookup from a CSV file (pa_number, pa_name, ons_id), all or nothing.

    Every row is checked first (ValidationError naming the row); then the file's rows
    replace the lookup rows with the same numbers or constituencies. Loading the same file
    again changes nothing.
    """
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"pa_number", "pa_name", "ons_id"} - set(reader.fieldnames or ())
        if missing:
            raise ValidationError(
                f"The file has no {', '.join(sorted(missing))} column.", code="columns"
            )
        rows = list(reader)
    constituencies = dict(Constituency.objects.values_list("ons_id", "id"))
    wanted: dict[int, tuple[str, int]] = {}
    taken: set[int] = set()
    for row_number, row in enumerate(rows, start=2):
        number_text = (row["pa_number"] or "").strip()
        name = " ".join((row["pa_name"] or "").split())
        ons_id = (row["ons_id"] or "").strip()
        reason = None
        if not number_text.isdigit() or int(number_text) == 0:
            reason = f"pa_number {number_text!r} is not a positive whole number."
        elif int(number_text) in wanted:
            reason = f"PA number {number_text} is given twice."
        elif not name:
            reason = "pa_name is empty."
        elif ons_id not in constituencies:
            reason = f"no constituency has the ONS code {ons_id!r}; import the results first."
        elif constituencies[ons_id] in taken:
            reason = f"{ons_id} is given twice."
        if reason:
            raise ValidationError(MSG_LOOKUP_ROW.format(row=row_number, reason=reason), code="row")
        wanted[int(number_text)] = (name, constituencies[ons_id])
        taken.add(constituencies[ons_id])
    with transaction.atomic():
        current = {
            number: (name, constituency_id)
            for number, name, constituency_id in PASeat.objects.filter(
                number__in=wanted
            ).values_list("number", "name", "constituency_id")
        }
        if current == wanted:
            return SeatLookupImport(rows=len(wanted), changed=False)
        PASeat.objects.filter(number__in=wanted).delete()
        PASeat.objects.filter(constituency_id__in=taken).delete()
        PASeat.objects.bulk_create(
            PASeat(number=number, name=name, constituency_id=constituency_id)
            for number, (name, constituency_id) in wanted.items()
        )
    return SeatLookupImport(rows=len(wanted), changed=True)


def _seat_key(name: str) -> str:
    """“Ealing, Southall” and “Ealing Southall”, “St. Ives” and “St Ives” are one key."""
    text = name.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def place_seat(message: PASeatMessage) -> PASeat:
    """The lookup row of the message's seat. Raises PAFileError (unknown_seat,
    seat_mismatch) when the lookup cannot place it."""
    seat = message.constituency
    found = PASeat.objects.select_related("constituency").filter(number=seat.number).first()
    if found is None:
        raise PAFileError(
            MSG_UNKNOWN_SEAT.format(number=seat.number, name=seat.name),
            file=message.file,
            code="unknown_seat",
            line=seat.line or None,
        )
    if _seat_key(seat.name) not in (_seat_key(found.name), _seat_key(found.constituency.name)):
        raise PAFileError(
            MSG_SEAT_MISMATCH.format(number=seat.number, known=found.name, name=seat.name),
            file=message.file,
            code="seat_mismatch",
            line=seat.line or None,
        )
    return found


# One file ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ingested:
    log: IngestLog
    new: bool  # False: the file was handled before (by this watcher or another)


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ingest_file(
    data: bytes,
    *,
    name: str,
    election: Election,
    by: User,
    process: str,
    folder: str = "",
    quarantine_as: str = "",
) -> Ingested:
    """Read, place, decide and apply one PA file, and log it; one transaction.

    A file the desk refuses (results.feeds.pa's refusals, a seat the lookup cannot place, a
    file for another election, figures the services refuse) is logged as rejected with
    `quarantine_as`, where the caller then moves it, and changes nothing else. A file seen
    before (same name and bytes) is not read again: its first entry is returned.

    Runs in its own transaction (a savepoint in a caller's): a lost race rolls back only
    this file's work.
    """
    digest = file_digest(data)
    known = _logged(election, name, digest)
    if known is not None:
        return Ingested(known, new=False)
    entry = IngestLog(
        election=election,
        file=name,
        folder=folder,
        digest=digest,
        process=process[:120],
        kind=_kind_of_name(name),
    )
    message: PAMessage | None = None
    seat: PASeat | None = None
    try:
        message = parse_message(data, file=name, allow_test=not is_live(election))
        entry.revision = message.revision
        _check_election(message, election)
        if isinstance(message, PASeatMessage):
            entry.pa_number = message.constituency.number
            seat = place_seat(message)
            entry.constituency = seat.constituency
    except PAFileError as exc:
        entry.revision = entry.revision or _revision_of_name(name)
        _reject(entry, exc.reason, code=exc.code, line=exc.line, quarantine_as=quarantine_as)
        return _write_once(entry)
    try:
        with transaction.atomic():
            if seat is not None:
                # One file of a seat at a time, whichever watcher: the revision checks
                # below read what the other one applied.
                PASeat.objects.select_for_update().get(pk=seat.pk)
            known = _logged(election, name, digest)
            if known is not None:
                return Ingested(known, new=False)
            if seat is None:
                entry.state, entry.reason = IngestLog.State.IGNORED, MSG_SOP_NOT_APPLIED
            else:
                assert isinstance(message, PASeatMessage)
                try:
                    # One event per post the file changes; a refusal undoes the apply
                    # and its events, not the log entry.
                    with one_event_per_post():
                        entry.state, entry.reason = _apply(
                            message, election=election, constituency=seat.constituency, by=by
                        )
                except ValidationError as exc:
                    _reject(
                        entry,
                        "; ".join(exc.messages),
                        code=exc.code or "refused",
                        line=message.constituency.line or None,
                        quarantine_as=quarantine_as,
                    )
            entry.at = timezone.now()
            entry.save()
    except IntegrityError:
        known = _logged(election, name, digest)
        if known is None:
            raise
        return Ingested(known, new=False)
    return Ingested(entry, new=True)


def _logged(election: Election, name: str, digest: str) -> IngestLog | None:
    return IngestLog.objects.filter(election=election, file=name, digest=digest).first()


def _kind_of_name(name: str) -> str:
    try:
        return parse_file_name(name).kind
    except PAFileError:
        return IngestLog.Kind.UNKNOWN


def _revision_of_name(name: str) -> int | None:
    try:
        return parse_file_name(name).revision
    except PAFileError:
        return None


def _reject(
    entry: IngestLog, reason: str, *, code: str, line: int | None, quarantine_as: str
) -> None:
    entry.state = IngestLog.State.REJECTED
    entry.reason = reason[:500]
    entry.code = code[:40]
    entry.line = line
    entry.quarantined_as = quarantine_as[:300]


def _write_once(entry: IngestLog) -> Ingested:
    entry.at = timezone.now()
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        known = _logged(entry.election, entry.file, entry.digest)
        if known is None:
            raise
        return Ingested(known, new=False)
    return Ingested(entry, new=True)


def _check_election(message: PAMessage, election: Election) -> None:
    if message.election_date is not None and message.election_date != election.date:
        raise PAFileError(
            MSG_OTHER_ELECTION.format(
                theirs=message.election_date, ours=election.date, name=election.name
            ),
            file=message.file,
            code="other_election",
        )


def _last_applied(election: Election, constituency: Constituency, kind: str) -> int | None:
    last: int | None = IngestLog.objects.filter(
        election=election, constituency=constituency, kind=kind, state=IngestLog.State.APPLIED
    ).aggregate(last=Max("revision"))["last"]
    return last


def _apply(
    message: PASeatMessage, *, election: Election, constituency: Constituency, by: User
) -> tuple[str, str]:
    """What `message` does to the seat: (state, reason); raises ValidationError to refuse."""
    last = _last_applied(election, constituency, message.kind)
    if last is not None and message.revision <= last:
        return IngestLog.State.IGNORED, MSG_OLD_REVISION.format(
            revision=message.revision, last=last
        )
    result = (
        ConstituencyResult.objects.filter(election=election, constituency=constituency)
        .select_related("constituency")
        .first()
    )
    declared = result is not None and result.status != ConstituencyResult.Status.AWAITING
    ensure_known_parties()
    parties = _Parties()
    applied = IngestLog.State.APPLIED, ""
    if isinstance(message, PANominations):
        if declared:
            return IngestLog.State.IGNORED, MSG_NOMINATIONS_DECLARED
        seat = message.constituency
        services.enter_result(
            result,
            by=by,
            candidates=parties.entries(seat, previous=message.previous, votes=False),
            electorate=seat.electorate if seat.electorate is not None else _electorate(result),
            invalid_votes=result.invalid_votes if result is not None else 0,
            election=election,
            constituency=constituency,
            previous_winner=parties.previous_winner(message.previous),
        )
        return applied
    if isinstance(message, PARush):
        if declared:
            return IngestLog.State.IGNORED, MSG_RUSH_AFTER_RESULT
        winner = parties.one(message.winning_party_name, message.winning_party_abbreviation)
        sitting = None
        if message.sitting_party_abbreviation:
            sitting = parties.one(
                message.sitting_party_name or "", message.sitting_party_abbreviation
            )
        result = result or services.create_result(
            election=election, constituency=constituency, by=by, previous_winner=sitting
        )
        services.flash_rush(result, winner=winner, previous_winner=sitting, by=by)
        return applied
    if isinstance(message, PARecount):
        result = result or services.create_result(
            election=election, constituency=constituency, by=by
        )
        services.call_recount(result, by=by)
        return applied
    assert isinstance(message, PAResult)
    seat = message.constituency
    entries = parties.entries(seat, previous=message.previous, votes=True)
    valid = sum(e.votes for e in entries)
    if seat.turnout is not None and seat.turnout < valid:
        raise ValidationError(
            MSG_TURNOUT_BELOW_VOTES.format(turnout=seat.turnout, votes=valid), code="bad_figures"
        )
    # The admin's path: opened and declared, declared, or (once declared) corrected.
    services.enter_result(
        result,
        by=by,
        candidates=entries,
        electorate=seat.electorate if seat.electorate is not None else _electorate(result),
        invalid_votes=seat.turnout - valid if seat.turnout is not None else 0,
        declare=True,
        declared_at=message.declaration_time,
        election=election,
        constituency=constituency,
        previous_winner=parties.previous_winner(message.previous),
        note=f"PA revision {message.revision} ({message.file})",
    )
    return applied


def _electorate(result: ConstituencyResult | None) -> int | None:
    return result.electorate if result is not None else None


class _Parties:
    """PA's parties as ours: PA's abbreviation through HOC_CODES, then names, aliases and
    codes (results.parties); a party nobody knows is created, as the importer does."""

    def __init__(self) -> None:
        self._resolver = PartyResolver()
        self._made: dict[str, Party] | None = None

    def one(self, name: str, abbreviation: str) -> Party:
        found = self._resolver.resolve(name, HOC_CODES.get(abbreviation, abbreviation))
        if isinstance(found, Party):
            return found
        if self._made is None or found not in self._made:
            self._made = self._resolver.create_planned()
        return self._made[found]

    def previous_winner(self, previous: PAConstituency | None) -> Party | None:
        if previous is None or not previous.winning_party:
            return None
        return self.one("", previous.winning_party)

    def entries(
        self, seat: PAConstituency, *, previous: PAConstituency | None, votes: bool
    ) -> Sequence[CandidateEntry]:
        shares: dict[int, Decimal] = {}
        for c in previous.candidates if previous is not None else ():
            if c.party.share is not None:
                party = self.one(c.party.name, c.party.abbreviation)
                shares.setdefault(party.pk, c.party.share / 100)
        entries = []
        for c in seat.candidates:
            party = self.one(c.party.name, c.party.abbreviation)
            entries.append(
                CandidateEntry(
                    name=c.name,
                    party=party,
                    votes=(c.party.votes or 0) if votes else 0,
                    previous_share=shares.get(party.pk),
                )
            )
        return entries
