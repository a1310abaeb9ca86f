"""Import the House of Commons Library's general election results.

Reads three kinds of file, told apart by their header:
- candidates, Title Case (the 2017 file: “ONS ID”, “Party name”, “Votes”, …);
- candidates, lower-case snake_case (other years: ons_id, party_name, votes, …);
- constituencies (id, electorate, valid_votes, invalid_votes, declaration_time, result).

Every file is read and checked first; then everything is written in one transaction, so a
bad row changes nothing. Running the same files again changes nothing either: only results
that differ are written, each with a revision.
"""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from liveblog.text import clean_text
from results.figures import find_winner, result_figures
from results.models import (
    Candidacy,
    Constituency,
    ConstituencyResult,
    Election,
    Party,
    ResultRevision,
)
from results.parties import PartyResolver, ensure_known_parties
from results.revisions import describe_changes, make_snapshot

# The Library gives declaration times as UK wall-clock times.
UK = ZoneInfo("Europe/London")
MAX_ERRORS_SHOWN = 25

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Layout:
    name: str
    kind: str  # "candidates" or "constituencies"
    columns: dict[str, str]  # our field -> the file's column
    optional: frozenset[str] = frozenset()

    def missing(self, header: Sequence[str]) -> list[str]:
        present = set(header)
        return [
            column
            for key, column in self.columns.items()
            if key not in self.optional and column not in present
        ]


CANDIDATES_TITLE = Layout(
    "candidates (Title Case, as 2017)",
    "candidates",
    {
        "ons_id": "ONS ID",
        "constituency": "Constituency name",
        "region": "Region name",
        "country": "Country name",
        "party_name": "Party name",
        "party_code": "Party abbreviation",
        "first_name": "Candidate first name",
        "surname": "Candidate surname",
        "sitting_mp": "Sitting MP",
        "votes": "Votes",
        "share": "Share",
        "change": "Change",
    },
    frozenset({"region", "country", "share", "change"}),
)
CANDIDATES_SNAKE = Layout(
    "candidates (snake_case)",
    "candidates",
    {
        "ons_id": "ons_id",
        "constituency": "constituency_name",
        "region": "region_name",
        "country": "country_name",
        "party_name": "party_name",
        "party_code": "party_abbreviation",
        "first_name": "firstname",
        "surname": "surname",
        "sitting_mp": "sitting_mp",
        "votes": "votes",
        "share": "share",
        "change": "change",
    },
    frozenset({"region", "country", "share", "change"}),
)
CONSTITUENCIES = Layout(
    "constituencies",
    "constituencies",
    {
        "ons_id": "id",
        "constituency": "constituency_name",
        "region": "region_name",
        "country": "country_name",
        "declared_at": "declaration_time",
        "result": "result",
        "electorate": "electorate",
        "valid_votes": "valid_votes",
        "invalid_votes": "invalid_votes",
        "majority": "majority",
    },
    frozenset({"region", "country", "declared_at", "majority", "valid_votes"}),
)
LAYOUTS = (CANDIDATES_TITLE, CANDIDATES_SNAKE, CONSTITUENCIES)

RESULT_RE = re.compile(r"^\s*(?P<winner>.+?)\s+(?:hold|gain\s+from\s+(?P<loser>.+?))\s*$", re.I)
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


class ResultsImportError(Exception):
    """The files cannot be imported; `errors` says where and why, one line each."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        text = "\n".join(shown) + (f"\n… and {more} more errors" if more > 0 else "")
        super().__init__(f"Nothing was imported.\n{text}")


@dataclass
class CandidateRow:
    where: str  # "file, line N"
    ons_id: str
    name: str
    party: Party | str
    votes: int
    sitting_mp: bool
    share: Decimal | None
    change: Decimal | None
    won_tie_break: bool = False


@dataclass
class SeatRow:
    where: str
    ons_id: str
    name: str
    region: str = ""
    country: str = ""
    electorate: int | None = None
    valid_votes: int | None = None
    invalid_votes: int = 0
    majority: int | None = None
    declared_at: datetime | None = None
    previous: Party | str | None = None
    candidates: list[CandidateRow] = field(default_factory=list)


@dataclass(frozen=True)
class ImportSummary:
    election: Election
    constituencies: int
    candidates: int
    created: int
    changed: int
    unchanged: int


def detect_layout(path: str, header: Sequence[str]) -> Layout:
    """The layout whose columns the header has; else an error naming what is missing."""
    cleaned = [h.strip() for h in header]
    for layout in LAYOUTS:
        if not layout.missing(cleaned):
            return layout
    closest = min(LAYOUTS, key=lambda layout: len(layout.missing(cleaned)))
    others = "; ".join(
        f"as {layout.name}: {', '.join(layout.missing(cleaned))}"
        for layout in LAYOUTS
        if layout is not closest
    )
    raise ResultsImportError(
        [
            f"{path}, line 1: the header is not a House of Commons Library results layout. "
            f"Closest is {closest.name}, which is missing the columns "
            f"{', '.join(closest.missing(cleaned))} (missing {others})."
        ]
    )


def _read_text(path: Path, label: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ResultsImportError([f"{label}: cannot read the file ({exc.strerror})."]) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ResultsImportError(
            [
                f"{label}, line {line}: byte 0x{raw[exc.start]:02x} is not UTF-8. Save the "
                "file as UTF-8 (the Library publishes it so) and import it again."
            ]
        ) from exc


# The longest text each field can store (results.models); a longer value is an error with
# its place in the file, not a database error at write time. The candidate's name is
# first name and surname together (Candidacy.name, 160).
MAX_LENGTHS = {
    "ons_id": 12,
    "constituency": 120,
    "region": 80,
    "country": 40,
    "party_name": 120,
    "party_code": 10,
    "first_name": 80,
    "surname": 79,
}
# PositiveIntegerField holds up to this on every database.
MAX_WHOLE = 2_147_483_647


class _FileReader:
    """Reads one file's rows into plain values, collecting errors with file/line/field."""

    def __init__(self, label: str, layout: Layout, errors: list[str]):
        self.label = label
        self.layout = layout
        self.errors = errors
        self.line = 0

    def where(self) -> str:
        return f"{self.label}, line {self.line}"

    def error(self, key: str, message: str) -> None:
        self.errors.append(f'{self.where()}, field "{self.layout.columns[key]}": {message}')

    def text(self, row: dict[str, str], key: str, *, required: bool = True) -> str:
        raw = row.get(self.layout.columns[key]) or ""
        if not isinstance(raw, str):  # a row with more cells than the header
            raw = ""
        try:
            # The site's text rule (liveblog.text), as for everything people write.
            value = clean_text(raw).strip()
        except ValidationError:
            self.error(key, "contains a NUL character (U+0000); remove it and try again.")
            return ""
        limit = MAX_LENGTHS.get(key)
        if limit is not None and len(value) > limit:
            self.error(key, f"is {len(value):,} characters long; at most {limit} fit.")
            return ""
        if required and not value:
            self.error(key, "is empty; every row needs it.")
        return value

    def whole(self, row: dict[str, str], key: str, *, blank_ok: bool = False) -> int | None:
        value = self.text(row, key, required=not blank_ok).replace(",", "")
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            self.error(key, f"“{value[:40]}” is not a whole number; give it as digits, e.g. 1895.")
            return None
        if number < 0:
            self.error(key, f"{number} is negative; votes and counts cannot be below zero.")
            return None
        if number > MAX_WHOLE:
            self.error(key, f"{number:,} is more than any count can be ({MAX_WHOLE:,}).")
            return None
        return number

    def decimal(self, row: dict[str, str], key: str) -> Decimal | None:
        if key in self.layout.optional and self.layout.columns[key] not in row:
            return None
        value = self.text(row, key, required=False)
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        # Shares are 0-1 and changes -1 to 1; NaN and infinities are no share at all.
        if number is None or not number.is_finite() or not -1 <= number <= 1:
            self.error(key, f"“{value[:40]}” is not a number; give a share as 0-1, e.g. 0.4749.")
            return None
        return number

    def yes_no(self, row: dict[str, str], key: str) -> bool:
        value = self.text(row, key, required=False).lower()
        if value in YES:
            return True
        if value not in NO:
            self.error(key, f"“{value[:40]}” is not Yes or No.")
        return False

    def when(self, row: dict[str, str], key: str) -> datetime | None:
        if self.layout.columns[key] not in row:
            return None
        value = self.text(row, key, required=False)
        if not value:
            return None
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"):
            try:
                return datetime.strptime(value, fmt).replace(tzinfo=UK)
            except ValueError:
                continue
        self.error(key, f"“{value[:40]}” is not a date and time like 2017-06-09 04:22:00.")
        return None


def _rows(text: str, label: str) -> tuple[list[str], csv.DictReader]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise ResultsImportError([f"{label}: the file is empty; expected a header line."])
    reader.fieldnames = header
    return header, reader


def _read_candidates(
    label: str, layout: Layout, reader: csv.DictReader, parties: PartyResolver, errors: list[str]
) -> tuple[list[CandidateRow], dict[str, SeatRow]]:
    f = _FileReader(label, layout, errors)
    candidates: list[CandidateRow] = []
    seats: dict[str, SeatRow] = {}
    for row in reader:
        f.line = reader.line_num
        if None in row:
            errors.append(f"{f.where()}: more fields than the header has columns.")
            continue
        ons_id = f.text(row, "ons_id")
        constituency = f.text(row, "constituency")
        first, surname = f.text(row, "first_name", required=False), f.text(row, "surname")
        party_name = f.text(row, "party_name", required=False)
        party_code = f.text(row, "party_code", required=False)
        if not party_name and not party_code:
            f.error("party_name", "is empty, and so is the party abbreviation.")
        votes = f.whole(row, "votes")
        share, change = f.decimal(row, "share"), f.decimal(row, "change")
        sitting = f.yes_no(row, "sitting_mp")
        if not ons_id or votes is None or not (party_name or party_code) or not surname:
            continue
        candidate = CandidateRow(
            where=f.where(),
            ons_id=ons_id,
            name=f"{first} {surname}".strip(),
            party=parties.resolve(party_name, party_code),
            votes=votes,
            sitting_mp=sitting,
            share=share,
            change=change,
        )
        candidates.append(candidate)
        seats.setdefault(
            ons_id,
            SeatRow(
                where=f.where(),
                ons_id=ons_id,
                name=constituency,
                region=f.text(row, "region", required=False),
                country=f.text(row, "country", required=False),
            ),
        )
    return candidates, seats


def _read_constituencies(
    label: str, layout: Layout, reader: csv.DictReader, parties: PartyResolver, errors: list[str]
) -> dict[str, SeatRow]:
    f = _FileReader(label, layout, errors)
    seats: dict[str, SeatRow] = {}
    for row in reader:
        f.line = reader.line_num
        if None in row:
            errors.append(f"{f.where()}: more fields than the header has columns.")
            continue
        ons_id = f.text(row, "ons_id")
        seat = SeatRow(
            where=f.where(),
            ons_id=ons_id,
            name=f.text(row, "constituency"),
            region=f.text(row, "region", required=False),
            country=f.text(row, "country", required=False),
            electorate=f.whole(row, "electorate", blank_ok=True),
            valid_votes=f.whole(row, "valid_votes", blank_ok=True)
            if layout.columns["valid_votes"] in row
            else None,
            invalid_votes=f.whole(row, "invalid_votes", blank_ok=True) or 0,
            majority=f.whole(row, "majority", blank_ok=True)
            if layout.columns["majority"] in row
            else None,
            declared_at=f.when(row, "declared_at"),
        )
        outcome = f.text(row, "result", required=False)
        if outcome:
            match = RESULT_RE.match(outcome)
            if match is None:
                f.error("result", f"“{outcome}” is not like “Con hold” or “Lab gain from Con”.")
            else:
                code = match.group("loser") or match.group("winner")
                seat.previous = parties.resolve("", code)
        if ons_id in seats:
            f.error("ons_id", f"{ons_id} appears twice (first at {seats[ons_id].where}).")
        elif ons_id:
            seats[ons_id] = seat
    return seats


def _check_seats(seats: dict[str, SeatRow], errors: list[str]) -> None:
    """Cross-checks within each seat: one winner, totals that agree with the candidates."""
    for seat in seats.values():
        names: dict[str, CandidateRow] = {}
        for c in seat.candidates:
            if c.name in names:
                errors.append(
                    f'{c.where}, field "candidate": {c.name} stands twice in {seat.name} '
                    f"(also at {names[c.name].where})."
                )
            names[c.name] = c
        try:
            find_winner(seat.candidates)
        except ValidationError as exc:
            first = max(seat.candidates, key=lambda c: c.votes)
            errors.append(f'{first.where}, field "votes": {exc.messages[0]}')
            continue
        total = sum(c.votes for c in seat.candidates)
        if seat.valid_votes is not None and seat.valid_votes != total:
            errors.append(
                f'{seat.where}, field "valid_votes": {seat.valid_votes:,} in the file, but the '
                f"candidates in {seat.name} have {total:,} votes between them."
            )
        if seat.majority is not None and len(seat.candidates) > 1:
            top = sorted((c.votes for c in seat.candidates), reverse=True)
            if top[0] - top[1] != seat.majority:
                errors.append(
                    f'{seat.where}, field "majority": {seat.majority:,} in the file, but the '
                    f"candidates' votes give {top[0] - top[1]:,}."
                )


def _read_files(
    paths: Sequence[Path | str], parties: PartyResolver
) -> tuple[dict[str, SeatRow], int]:
    errors: list[str] = []
    candidate_files: list[tuple[str, list[CandidateRow], dict[str, SeatRow]]] = []
    seat_files: list[tuple[str, dict[str, SeatRow]]] = []
    for path in paths:
        label = str(path)
        text = _read_text(Path(path), label)
        reader = None
        try:
            header, reader = _rows(text, label)
            layout = detect_layout(label, header)
            if layout.kind == "candidates":
                candidate_files.append(
                    (label, *_read_candidates(label, layout, reader, parties, errors))
                )
            else:
                seats = _read_constituencies(label, layout, reader, parties, errors)
                seat_files.append((label, seats))
        except csv.Error as exc:
            # The csv module's own refusals: a field over its size limit, a stray quote.
            line = reader.line_num + 1 if reader is not None else 1
            raise ResultsImportError(
                [f"{label}, line {line}: the file is not valid CSV ({exc})."]
            ) from exc
    if not candidate_files:
        raise ResultsImportError(
            [
                "No candidate file given: import the results-by-candidate file (with the "
                "constituency file if you have it)."
            ]
        )
    if len(seat_files) > 1:
        raise ResultsImportError(
            [f"Give at most one constituency file; got {', '.join(s[0] for s in seat_files)}."]
        )

    if seat_files:
        seat_label, seats = seat_files[0]
    else:
        seat_label, seats = "", {}
    count = 0
    for _label, candidates, candidate_seats in candidate_files:
        for c in candidates:
            seat = seats.get(c.ons_id)
            if seat is None and seat_files:
                errors.append(
                    f'{c.where}, field "ONS id": constituency {c.ons_id} is not in {seat_label}; '
                    "check the id or import the matching constituency file."
                )
                continue
            if seat is None:
                seat = seats[c.ons_id] = candidate_seats[c.ons_id]
            elif not seat.region and c.ons_id in candidate_seats:
                seat.region = candidate_seats[c.ons_id].region
                seat.country = seat.country or candidate_seats[c.ons_id].country
            seat.candidates.append(c)
            count += 1
    for seat in seats.values():
        if not seat.candidates:
            errors.append(
                f"{seat.where}: {seat.name} ({seat.ons_id}) has no candidates in the candidate "
                "file."
            )
    _check_seats(seats, errors)
    if errors:
        raise ResultsImportError(errors)
    return seats, count


def _previous_from_database(
    previous: Election | None,
) -> tuple[dict[str, int], dict[tuple[str, int], Decimal]]:
    """Previous winners (ons_id -> party id) and shares ((ons_id, party id) -> share)."""
    winners: dict[str, int] = {}
    shares: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    if previous is None:
        return winners, shares
    for result in ConstituencyResult.objects.filter(election=previous).declared().for_card():
        figures = result_figures(result)
        ons_id = result.constituency.ons_id
        if figures.winner is not None:
            winners[ons_id] = figures.winner.party.pk
        for c in figures.candidates:
            shares[(ons_id, c.party.pk)] += Decimal(str(round(c.share, 6)))
    return winners, shares


def _unique_slug(name: str, ons_id: str, taken: set[str]) -> str:
    slug = slugify(name)[:100] or ons_id.lower()
    if slug in taken:
        slug = f"{slug}-{ons_id.lower()}"
    taken.add(slug)
    return slug


def import_results_csv(
    paths: Sequence[Path | str],
    *,
    election: str,
    name: str,
    date: date,
    previous: str | None = None,
    speaker_party: str | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import the Library's files for one election; all or nothing, and idempotent.

    `previous` is the slug of the election HOLD/GAIN and changes are measured against; its
    results are used when in the database, else the constituency file's result column and
    the candidate file's change column. `speaker_party` is the code of the party the
    Speaker's seat counts for (None keeps the election's current setting).
    """
    from results.services import record_post_updates_for_results

    report = progress or (lambda stage, done, total: None)
    with transaction.atomic():
        ensure_known_parties()
        parties = PartyResolver()
        report("Reading files", 0, len(paths))
        seats, candidate_count = _read_files(paths, parties)
        report("Reading files", len(paths), len(paths))

        speaker = None
        if speaker_party:
            speaker = Party.objects.filter(code__iexact=speaker_party).first()
            if speaker is None:
                raise ResultsImportError(
                    [f"--speaker-party {speaker_party}: no party has that code."]
                )
        previous_election = Election.objects.filter(slug=previous).first() if previous else None

        party_by_code = parties.create_planned()

        def party_of(value: Party | str) -> Party:
            return value if isinstance(value, Party) else party_by_code[value]

        defaults: dict[str, Any] = {"name": name, "date": date, "previous": previous_election}
        if speaker is not None:
            defaults["speaker_party"] = speaker
        the_election, _ = Election.objects.update_or_create(slug=election, defaults=defaults)

        constituencies = _write_constituencies(seats)
        prev_winners, prev_shares = _previous_from_database(previous_election)
        summary = _write_results(
            the_election,
            seats,
            constituencies,
            party_of,
            prev_winners,
            prev_shares,
            use_database=bool(prev_winners),
            label=", ".join(str(p) for p in paths),
            report=report,
        )
        record_post_updates_for_results(summary["changed_ids"])
    return ImportSummary(
        election=the_election,
        constituencies=len(seats),
        candidates=candidate_count,
        created=summary["created"],
        changed=summary["changed"],
        unchanged=summary["unchanged"],
    )


def _write_constituencies(seats: dict[str, SeatRow]) -> dict[str, Constituency]:
    existing = {c.ons_id: c for c in Constituency.objects.all()}
    taken = {c.slug for c in existing.values()}
    new, changed = [], []
    for seat in seats.values():
        current = existing.get(seat.ons_id)
        if current is None:
            new.append(
                Constituency(
                    ons_id=seat.ons_id,
                    name=seat.name,
                    slug=_unique_slug(seat.name, seat.ons_id, taken),
                    region=seat.region,
                    country=seat.country,
                )
            )
        elif (current.name, current.region, current.country) != (
            seat.name,
            seat.region or current.region,
            seat.country or current.country,
        ):
            current.name = seat.name
            current.region = seat.region or current.region
            current.country = seat.country or current.country
            changed.append(current)
    Constituency.objects.bulk_create(new, batch_size=500)
    Constituency.objects.bulk_update(changed, ["name", "region", "country"], batch_size=500)
    return {c.ons_id: c for c in Constituency.objects.filter(ons_id__in=seats.keys())}


def _write_results(
    election: Election,
    seats: dict[str, SeatRow],
    constituencies: dict[str, Constituency],
    party_of: Callable[[Party | str], Party],
    prev_winners: dict[str, int],
    prev_shares: dict[tuple[str, int], Decimal],
    *,
    use_database: bool,
    label: str,
    report: Progress,
) -> dict[str, Any]:
    now = timezone.now()
    fallback_time = datetime.combine(election.date, time(22, 0), tzinfo=UK)
    results = {
        r.constituency_id: r
        for r in ConstituencyResult.objects.filter(election=election).select_related(
            "previous_winner"
        )
    }
    candidacies: dict[int, list[Candidacy]] = defaultdict(list)
    for c in Candidacy.objects.filter(result__election=election).select_related("party"):
        candidacies[c.result_id].append(c)
    last_revision = {
        r.result_id: r
        for r in ResultRevision.objects.filter(result__election=election).order_by(
            "result_id", "number"
        )
    }

    created = changed = unchanged = 0
    to_create: list[tuple[ConstituencyResult, SeatRow]] = []
    to_update: list[ConstituencyResult] = []
    candidacy_new: list[tuple[ConstituencyResult, Candidacy]] = []
    candidacy_update: list[Candidacy] = []
    candidacy_delete: list[int] = []
    revisions: list[tuple[ConstituencyResult, ResultRevision]] = []
    changed_ids: list[int] = []
    total = len(seats)

    for done, seat in enumerate(seats.values(), start=1):
        if done % 50 == 0 or done == total:
            report("Writing results", done, total)
        constituency = constituencies[seat.ons_id]
        if use_database and seat.ons_id in prev_winners:
            previous_winner_id: int | None = prev_winners[seat.ons_id]
        else:
            previous_winner_id = party_of(seat.previous).pk if seat.previous else None
        wanted = []
        for c in seat.candidates:
            party = party_of(c.party)
            if use_database:
                share = prev_shares.get((seat.ons_id, party.pk))
                prev_share = share.quantize(Decimal("0.000001")) if share is not None else None
            else:
                prev_share = (
                    c.share - c.change if c.share is not None and c.change is not None else None
                )
            wanted.append((c, party, prev_share))
        snapshot = make_snapshot(
            status=ConstituencyResult.Status.DECLARED,
            electorate=seat.electorate,
            invalid_votes=seat.invalid_votes,
            candidates=[
                {"name": c.name, "party": p.code, "votes": c.votes, "sitting_mp": c.sitting_mp}
                for c, p, _ in wanted
            ],
        )
        declared_at = seat.declared_at or fallback_time
        result = results.get(constituency.pk)
        if result is None:
            result = ConstituencyResult(
                election=election,
                constituency=constituency,
                status=ConstituencyResult.Status.DECLARED,
                declared_at=declared_at,
                electorate=seat.electorate,
                invalid_votes=seat.invalid_votes,
                previous_winner_id=previous_winner_id,
            )
            to_create.append((result, seat))
            for c, party, prev_share in wanted:
                candidacy_new.append((result, _candidacy(c, party, prev_share)))
            revisions.append((result, _revision(1, None, snapshot, now, label)))
            created += 1
            continue

        existing = {c.name: c for c in candidacies[result.pk]}
        before = last_revision.get(result.pk)
        current_snapshot = make_snapshot(
            status=ConstituencyResult.Status.DECLARED,
            electorate=result.electorate,
            invalid_votes=result.invalid_votes,
            candidates=[
                {
                    "name": c.name,
                    "party": c.party.code,
                    "votes": c.votes,
                    "sitting_mp": c.sitting_mp,
                }
                for c in existing.values()
            ],
        )
        dirty = False
        for attr, value in (
            ("declared_at", declared_at),
            ("electorate", seat.electorate),
            ("invalid_votes", seat.invalid_votes),
            ("previous_winner_id", previous_winner_id),
        ):
            if getattr(result, attr) != value:
                setattr(result, attr, value)
                dirty = True
        for c, party, prev_share in wanted:
            row = existing.pop(c.name, None)
            if row is None:
                candidacy_new.append((result, _candidacy(c, party, prev_share)))
                continue
            values = {
                "party_id": party.pk,
                "votes": c.votes,
                "sitting_mp": c.sitting_mp,
                "previous_share": prev_share,
                "won_tie_break": False,
            }
            if any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                candidacy_update.append(row)
                dirty = True
        if existing:
            candidacy_delete.extend(c.pk for c in existing.values())
            dirty = True
        if current_snapshot != snapshot or result.status == ConstituencyResult.Status.AWAITING:
            current_snapshot["status"] = result.status
            result.status = (
                ConstituencyResult.Status.CORRECTED
                if result.status != ConstituencyResult.Status.AWAITING
                else ConstituencyResult.Status.DECLARED
            )
            snapshot["status"] = result.status
            number = (before.number if before else 0) + 1
            revisions.append((result, _revision(number, current_snapshot, snapshot, now, label)))
            dirty = True
        if dirty:
            to_update.append(result)
            changed_ids.append(result.pk)
            changed += 1
        else:
            unchanged += 1

    ConstituencyResult.objects.bulk_create([r for r, _ in to_create], batch_size=500)
    if not all(r.pk for r, _ in to_create):  # backends that do not return ids
        ids = dict(
            ConstituencyResult.objects.filter(election=election).values_list(
                "constituency_id", "id"
            )
        )
        for r, _ in to_create:
            r.pk = ids[r.constituency_id]
    ConstituencyResult.objects.bulk_update(
        to_update,
        ["status", "declared_at", "electorate", "invalid_votes", "previous_winner"],
        batch_size=500,
    )
    Candidacy.objects.filter(pk__in=candidacy_delete).delete()
    for result, candidacy in candidacy_new:
        candidacy.result_id = result.pk
    Candidacy.objects.bulk_create([c for _, c in candidacy_new], batch_size=1000)
    Candidacy.objects.bulk_update(
        candidacy_update,
        ["party", "votes", "sitting_mp", "previous_share", "won_tie_break"],
        batch_size=1000,
    )
    for result, revision in revisions:
        revision.result_id = result.pk
    ResultRevision.objects.bulk_create([r for _, r in revisions], batch_size=500)
    return {
        "created": created,
        "changed": changed,
        "unchanged": unchanged,
        "changed_ids": changed_ids,
    }


def _candidacy(c: CandidateRow, party: Party, previous_share: Decimal | None) -> Candidacy:
    return Candidacy(
        name=c.name,
        party=party,
        votes=c.votes,
        sitting_mp=c.sitting_mp,
        previous_share=previous_share,
    )


def _revision(
    number: int, before: dict[str, Any] | None, after: dict[str, Any], now: datetime, label: str
) -> ResultRevision:
    return ResultRevision(
        number=number,
        kind=ResultRevision.Kind.IMPORTED,
        by=None,
        at=now,
        note=f"Imported from {label}"[:300],
        snapshot=after,
        changes=describe_changes(before, after),
    )
