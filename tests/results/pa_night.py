"""A small election night as PA would deliver it, for the watcher's tests.

A few seats' official 2017 figures are imported (as `ge2017`), written as PA files by
pa_export, and replayed into a second, empty election of the same day (`night`), whose
seats the watcher fills. Helpers edit the exported files into corrections, recounts and
bad files, and deliver them with a modification time and a new `.timestamp`, as PA does.
"""

import os
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from results.feeds.pa_export import SEATS_FILE, export_election
from results.feeds.watch import FolderWatcher, ScanReport
from results.importers.hoc import import_results_csv
from results.ingest import ensure_feed_user, import_pa_seats
from results.models import ConstituencyResult, Election, PASeat
from tests.results.conftest import CANDIDATES_2017, CONSTITUENCIES_2017, read_rows, write_csv

PREFIX = "General_Election_2017"
MK_SOUTH = "E14000822"
BUCKINGHAM = "E14000608"
KENSINGTON = "E14000768"  # Labour gain from Conservative by 20 votes
SEATS = (MK_SOUTH, BUCKINGHAM, KENSINGTON)
NAMES = {MK_SOUTH: "Milton_Keynes_South", BUCKINGHAM: "Buckingham", KENSINGTON: "Kensington"}
# A time after every exported file (2017), so delivered files arrive last.
LATE = 1_600_000_000.0


@dataclass
class Night:
    official: Election  # ge2017, the Library's figures
    election: Election  # the night being filled from the files
    source: Path  # pa_export's output
    feed: Path  # the folder the watcher follows
    clock: float = LATE

    def exported(self, kind: str, ons_id: str, revision: int = 1) -> Path:
        folder = "nominations" if kind == "nominations" else "results"
        return self.source / folder / f"{PREFIX}_{kind}_{NAMES[ons_id]}_{revision}.xml"

    def deliver(self, path: Path, *, folder: str = "results", name: str | None = None) -> Path:
        """Copy a file into the feed as the newest arrival, and touch `.timestamp`."""
        target = self.feed / folder / (name or path.name)
        shutil.copyfile(path, target)
        return self.touch(target)

    def deliver_bytes(self, data: bytes, name: str, *, folder: str = "results") -> Path:
        target = self.feed / folder / name
        tmp = target.with_name(f".{name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        return self.touch(target)

    def touch(self, target: Path) -> Path:
        self.clock += 10
        os.utime(target, (self.clock, self.clock))
        (target.parent / ".timestamp").write_text(f"{self.clock:.5f}\n", encoding="ascii")
        return target

    def deliver_seat(self, ons_id: str, *kinds: str) -> None:
        for kind in kinds:
            folder = "nominations" if kind == "nominations" else "results"
            self.deliver(self.exported(kind, ons_id), folder=folder)

    def deliver_night(self) -> None:
        for ons_id in SEATS:
            self.deliver_seat(ons_id, "nominations")
        for ons_id in SEATS:
            self.deliver_seat(ons_id, "rush", "result")

    def watcher(self, **kwargs) -> FolderWatcher:
        return FolderWatcher(
            self.feed,
            election=self.election,
            by=ensure_feed_user(),
            now=lambda: self.clock + 60,
            **kwargs,
        )

    def scan(self, **kwargs) -> ScanReport:
        return self.watcher(**kwargs).scan()

    def result(self, ons_id: str) -> ConstituencyResult:
        return ConstituencyResult.objects.for_card().get(
            election=self.election, constituency__ons_id=ons_id
        )

    def official_result(self, ons_id: str) -> ConstituencyResult:
        return ConstituencyResult.objects.for_card().get(
            election=self.official, constituency__ons_id=ons_id
        )


def make_night(tmp_path: Path, seats: tuple[str, ...] = SEATS) -> Night:
    header, rows = read_rows(CANDIDATES_2017)
    c_header, c_rows = read_rows(CONSTITUENCIES_2017)
    files = [
        write_csv(tmp_path / "candidates.csv", header, [r for r in rows if r[0] in seats]),
        write_csv(tmp_path / "seats.csv", c_header, [r for r in c_rows if r[0] in seats]),
    ]
    import_results_csv(
        files,
        election="ge2017",
        name="General election 2017",
        date=date(2017, 6, 8),
        previous="ge2015",
    )
    official = Election.objects.get(slug="ge2017")
    source = tmp_path / "export"
    export_election(official, source)
    import_pa_seats(source / SEATS_FILE)
    election = Election.objects.create(
        name="General election 2017 (night)", slug="night", date=date(2017, 6, 8)
    )
    feed = tmp_path / "feed"
    (feed / "nominations").mkdir(parents=True)
    (feed / "results").mkdir()
    return Night(official=official, election=election, source=source, feed=feed)


def edited(path: Path, *, revision: int, votes: dict[str, int] | None = None, **attrs) -> bytes:
    """The exported file as another revision, with some parties' votes (by PA abbreviation)
    or Constituency attributes changed. Changed votes change the turnout with them (the
    ballots counted), so the rejected ballots stay as they were."""
    root = ET.parse(path).getroot()
    root.set("revision", str(revision))
    seat = root.find("Election/Constituency")
    assert seat is not None
    delta = 0
    found = set()
    for party in seat.iter("Party"):
        if votes and party.get("abbreviation") in votes:
            found.add(party.get("abbreviation"))
            delta += votes[party.get("abbreviation")] - int(party.get("votes", "0"))
            party.set("votes", str(votes[party.get("abbreviation")]))
    assert found == set(votes or ()), f"no candidate of {set(votes or ()) - found} here"
    if delta and seat.get("turnout"):
        seat.set("turnout", str(int(seat.get("turnout")) + delta))
    for key, value in attrs.items():
        seat.set(key, str(value))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def recount_xml(ons_id: str, number: int, name: str, revision: int = 1) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Recount revision="{revision}">'
        f'<Election name="General election 2017" date="2017-06-08">'
        f'<Constituency number="{number}" name="{name}"/></Election></Recount>'
    ).encode()


def pa_number(ons_id: str) -> int:
    return PASeat.objects.get(constituency__ons_id=ons_id).number
