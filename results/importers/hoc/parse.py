"""Parse the House of Commons Library's general election results files.

Three kinds of file, told apart by their header (results.importers.hoc.layouts):
- candidates, Title Case (the 2017 file: “ONS ID”, “Party name”, “Votes”, …);
- candidates, lower-case snake_case (other years: ons_id, party_name, votes, …);
- constituencies (id, electorate, valid_votes, invalid_votes, declaration_time, result).

Every file is read and checked, with the file, line and column of each problem, into plain
dataclasses; nothing here reads or writes the database (results.importers.hoc.apply does).
"""

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from liveblog.text import clean_text
from results.figures import find_winner
from results.importers.hoc.layouts import Layout, ResultsImportError, detect_layout

# The Library gives declaration times as UK wall-clock times.
UK = ZoneInfo("Europe/London")

RESULT_RE = re.compile(r"^\s*(?P<winner>.+?)\s+(?:hold|gain\s+from\s+(?P<loser>.+?))\s*$", re.I)
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}

MSG_NO_VOTES = "every candidate in {seat} has 0 votes; give the votes of the declared result."


@dataclass(frozen=True)
class PartyName:
    """A party as a file names it; results.parties.PartyResolver finds (or plans) it."""

    name: str
    abbreviation: str


@dataclass
class CandidateRow:
    where: str  # "file, line N"
    ons_id: str
    name: str
    party: PartyName
    votes: int
    sitting_mp: bool
    share: Decimal | None
    change: Decimal | None
    won_tie_break: bool = False  # files have no tie-break column; find_winner reads it

    @property
    def previous_share(self) -> Decimal | None:
        """The share the file implies for the previous election (share less change)."""
        if self.share is None or self.change is None:
            return None
        return self.share - self.change


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
    previous: PartyName | None = None  # who held the seat, from “Lab gain from Con”
    candidates: list[CandidateRow] = field(default_factory=list)


@dataclass(frozen=True)
class ResultsFiles:
    """What a set of the Library's files says, checked: each seat with its candidates."""

    label: str  # the files, for notes and messages
    seats: dict[str, SeatRow]  # by ONS id
    candidates: int

    def party_names(self) -> list[PartyName]:
        """Every party the files name, candidates' first, in file order."""
        names = [c.party for seat in self.seats.values() for c in seat.candidates]
        names += [seat.previous for seat in self.seats.values() if seat.previous is not None]
        return names


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
    label: str, layout: Layout, reader: csv.DictReader, errors: list[str]
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
            # Spaces as the services keep them (results.services.CandidateEntry).
            name=" ".join(f"{first} {surname}".split()),
            party=PartyName(party_name, party_code),
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
    label: str, layout: Layout, reader: csv.DictReader, errors: list[str]
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
                seat.previous = PartyName("", code)
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
        if not seat.candidates:
            continue  # already reported
        first = max(seat.candidates, key=lambda c: c.votes)
        try:
            winner = find_winner(seat.candidates)
        except ValidationError as exc:
            errors.append(f'{first.where}, field "votes": {exc.messages[0]}')
            continue
        if winner is None:
            errors.append(f'{first.where}, field "votes": {MSG_NO_VOTES.format(seat=seat.name)}')
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


def parse_files(paths: Sequence[Path | str]) -> ResultsFiles:
    """Read and check the files; raises ResultsImportError listing every problem."""
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
                candidate_files.append((label, *_read_candidates(label, layout, reader, errors)))
            else:
                seats = _read_constituencies(label, layout, reader, errors)
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
    return ResultsFiles(label=", ".join(str(p) for p in paths), seats=seats, candidates=count)
