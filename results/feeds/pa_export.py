"""Writing an election's results from the database as PA-style files (for rehearsals).

`export_election` lays the files out as PA delivers them:

  DIR/nominations/{Election}_nominations_{Seat}_1.xml   one per seat, then
  DIR/results/{Election}_rush_{Seat}_1.xml             the flash at the declaration
  DIR/results/{Election}_result_{Seat}_1.xml           the full result, FULL_RESULT_DELAY later
  DIR/{nominations,results}/.timestamp                 seconds since the epoch, newest file
  DIR/pa-seats.csv                                     PA number, PA name, ONS code

Each file's modification time is when PA would have sent it: nominations when the polls
close, a rush at the seat's real `declared_at`, its result `FULL_RESULT_DELAY` later (and the
result carries `declarationTime`). PA numbers seats alphabetically; so does this. Every
file is written under a temporary name and renamed, so a watcher never sees half a file.

Our additions to PA's shape, which a tolerant reader ignores: nominations carry the seat's
`PreviousElection` too (so a replay can project undeclared seats), and previous-election
candidates have no names (only the party's previous share is stored).
"""

import csv
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from results.feeds.pa import NOMINATIONS, PA_ABBREVIATIONS, RESULT, ROOTS, RUSH
from results.figures import GAIN, HOLD, CandidateFigures, ResultFigures, result_figures
from results.models import ConstituencyResult, Election, Party

UK = ZoneInfo("Europe/London")
POLLS_CLOSE = time(22, 0)
FULL_RESULT_DELAY = timedelta(minutes=2)
SEATS_FILE = "pa-seats.csv"


@dataclass(frozen=True)
class ExportSummary:
    seats: int
    files: int
    directory: Path


def pa_abbreviation(party: Party) -> str:
    return PA_ABBREVIATIONS.get(party.code, party.code)


def file_prefix(election: Election) -> str:
    """“General election 2017” → “General_Election_2017”, PA's {Election} part."""
    return "_".join(word[:1].upper() + word[1:] for word in election.name.split())


def seat_file_part(name: str) -> str:
    """PA's spelling of a seat in a file name: spaces as underscores, no path separators."""
    return "_".join(name.replace("/", " ").replace("\\", " ").split())


def _percent(value: float | None, places: int = 1) -> str | None:
    return None if value is None else f"{value * 100:.{places}f}"


def _signed(value: float | None) -> str | None:
    if value is None:
        return None
    return f"{value * 100:+.1f}"


def _set(node: ET.Element, **attrs: object) -> ET.Element:
    for key, value in attrs.items():
        if value is not None:
            node.set(key, str(value))
    return node


def _split_name(name: str) -> tuple[str, str]:
    """First name and surname; joined with a space they give `name` back."""
    first, _, rest = name.partition(" ")
    return (first, rest) if rest else ("", first)


def _election_node(parent: ET.Element, election: Election) -> ET.Element:
    return _set(
        ET.SubElement(parent, "Election"), name=election.name, date=election.date.isoformat()
    )


def _previous_node(root: ET.Element, card: ResultFigures, number: int) -> None:
    """The seat at the previous election: its winner and each party's previous share."""
    previous = card.result.election.previous
    node = _set(
        ET.SubElement(root, "PreviousElection"),
        name=previous.name if previous else "Previous election",
    )
    seat = _set(
        ET.SubElement(node, "Constituency"),
        number=number,
        name=card.result.constituency.name,
        winningParty=pa_abbreviation(card.result.previous_winner)
        if card.result.previous_winner
        else None,
    )
    for c in card.result.candidacies.all():
        if c.previous_share is None:
            continue
        candidate = ET.SubElement(seat, "Candidate")
        _set(
            ET.SubElement(candidate, "Party"),
            name=c.party.name,
            abbreviation=pa_abbreviation(c.party),
            percentageShare=f"{float(c.previous_share) * 100:.4f}",
        )


def _candidate_node(seat: ET.Element, c: CandidateFigures, **party: object) -> None:
    """A <Candidate> with its <Party>; `party` adds attributes (a result's votes, shares)."""
    first, surname = _split_name(c.name)
    candidate = _set(ET.SubElement(seat, "Candidate"), firstName=first, surname=surname)
    _set(
        ET.SubElement(candidate, "Party"),
        name=c.party.name,
        abbreviation=pa_abbreviation(c.party),
        **party,
    )


def nominations_xml(card: ResultFigures, number: int) -> ET.Element:
    root = _set(ET.Element(ROOTS[NOMINATIONS]), revision=1)
    seat = _set(
        ET.SubElement(_election_node(root, card.result.election), "Constituency"),
        number=number,
        name=card.result.constituency.name,
        electorate=card.result.electorate,
    )
    for c in sorted(card.candidates, key=lambda c: c.name):
        _candidate_node(seat, c)
    _previous_node(root, card, number)
    return root


def _outcome(card: ResultFigures) -> str | None:
    return {HOLD: "hold", GAIN: "gain"}.get(card.outcome or "")


def rush_xml(card: ResultFigures, number: int) -> ET.Element:
    assert card.winner is not None
    root = _set(ET.Element(ROOTS[RUSH]), revision=1)
    previous = card.result.previous_winner
    name = card.result.constituency.name
    text = f"{card.winner.party.code} {card.outcome} {name.upper()}"
    if card.gained_from is not None:
        text += f" FROM {card.gained_from.code}"
    _set(
        ET.SubElement(_election_node(root, card.result.election), "Constituency"),
        number=number,
        name=name,
        winningPartyAbbreviation=pa_abbreviation(card.winner.party),
        winningPartyName=card.winner.party.name,
        sittingPartyAbbreviation=pa_abbreviation(previous) if previous else None,
        sittingPartyName=previous.name if previous else None,
        gainOrHold=_outcome(card),
        paStyleMessageText=text,
    )
    return root


def result_xml(card: ResultFigures, number: int) -> ET.Element:
    result = card.result
    declared_at = result.declared_at
    assert card.winner is not None and declared_at is not None
    root = _set(
        ET.Element(ROOTS[RESULT]),
        revision=1,
        declarationTime=declared_at.astimezone(UK).isoformat(),
    )
    turnout = card.valid_votes + result.invalid_votes
    seat = _set(
        ET.SubElement(_election_node(root, result.election), "Constituency"),
        number=number,
        name=result.constituency.name,
        electorate=result.electorate,
        turnout=turnout,
        percentageTurnout=_percent(turnout / result.electorate) if result.electorate else None,
        majority=card.majority,
        percentageMajority=_percent(card.majority / card.valid_votes)
        if card.majority is not None and card.valid_votes
        else None,
        winningParty=pa_abbreviation(card.winner.party),
        sittingParty=pa_abbreviation(result.previous_winner) if result.previous_winner else None,
        gainOrHold=_outcome(card),
    )
    for c in card.candidates:
        _candidate_node(
            seat,
            c,
            votes=c.votes,
            percentageShare=_percent(c.share),
            percentageShareChange=_signed(c.change),
        )
    _previous_node(root, card, number)
    return root


def _write(path: Path, root: ET.Element, when: datetime) -> None:
    ET.indent(root)
    tmp = path.with_name(f".{path.name}.tmp")
    ET.ElementTree(root).write(tmp, encoding="utf-8", xml_declaration=True)
    stamp = when.timestamp()
    os.utime(tmp, (stamp, stamp))
    tmp.replace(path)


def _write_timestamp(folder: Path, newest: datetime) -> None:
    tmp = folder / ".timestamp.tmp"
    tmp.write_text(f"{newest.timestamp():.5f}\n", encoding="ascii")
    tmp.replace(folder / ".timestamp")


def export_election(election: Election, directory: Path) -> ExportSummary:
    """Write `election`'s declared results as PA files under `directory` (module docstring).

    Reads in four queries whatever the number of seats. Seats still awaiting a result get
    their nominations only.
    """
    results = list(
        ConstituencyResult.objects.filter(election=election)
        .for_card()
        .select_related("election__previous")
        .order_by("constituency__name", "constituency__ons_id")
    )
    nominations = directory / "nominations"
    declared = directory / "results"
    nominations.mkdir(parents=True, exist_ok=True)
    declared.mkdir(parents=True, exist_ok=True)
    prefix = file_prefix(election)
    polls_close = datetime.combine(election.date, POLLS_CLOSE, tzinfo=UK)
    newest = polls_close
    files = 0
    seats = []
    for number, result in enumerate(results, start=1):
        card = result_figures(result)
        part = seat_file_part(result.constituency.name)
        seats.append((number, result.constituency.name, result.constituency.ons_id))
        _write(
            nominations / f"{prefix}_{NOMINATIONS}_{part}_1.xml",
            nominations_xml(card, number),
            polls_close,
        )
        files += 1
        if card.winner is None or result.declared_at is None:
            continue
        _write(
            declared / f"{prefix}_{RUSH}_{part}_1.xml", rush_xml(card, number), result.declared_at
        )
        full = result.declared_at + FULL_RESULT_DELAY
        _write(declared / f"{prefix}_{RESULT}_{part}_1.xml", result_xml(card, number), full)
        files += 2
        newest = max(newest, full)
    _write_timestamp(nominations, polls_close)
    _write_timestamp(declared, newest)
    with (directory / SEATS_FILE).open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["pa_number", "pa_name", "ons_id"])
        writer.writerows(seats)
    return ExportSummary(seats=len(results), files=files, directory=directory)
