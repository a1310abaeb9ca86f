import csv
from datetime import date
from pathlib import Path

import pytest

from results.importers.hoc import import_results_csv
from results.models import (
    Candidacy,
    Constituency,
    ConstituencyResult,
    Election,
    Party,
    PartyAlias,
    PostResultCard,
    ResultRevision,
)

DATA = Path(__file__).resolve().parents[2] / "data"
CANDIDATES_2017 = DATA / "HoC-GE2017-results-by-candidate.csv"
CONSTITUENCIES_2017 = DATA / "HoC-GE2017-constituency-results.csv"
MK_SOUTH = "E14000822"
BUCKINGHAM = "E14000608"


def import_2017(**kwargs):
    return import_results_csv(
        [CANDIDATES_2017, CONSTITUENCIES_2017],
        election="ge2017",
        name="General election 2017",
        date=date(2017, 6, 8),
        previous="ge2015",
        speaker_party="CON",
        **kwargs,
    )


def delete_all_results() -> None:
    PostResultCard.objects.all().delete()
    ResultRevision.objects.all().delete()
    Candidacy.objects.all().delete()
    ConstituencyResult.objects.all().delete()
    Election.objects.all().delete()
    Constituency.objects.all().delete()
    PartyAlias.objects.all().delete()
    Party.objects.all().delete()


@pytest.fixture(scope="module")
def ge2017(django_db_setup, django_db_blocker):
    """The official 2017 results, imported once per module and removed after it.

    Tests using it run in their own transaction on top (`db`), so changes they make roll
    back and the next test sees the official figures again.
    """
    with django_db_blocker.unblock():
        delete_all_results()
        summary = import_2017()
    yield summary.election
    with django_db_blocker.unblock():
        delete_all_results()


@pytest.fixture
def election_2017(ge2017, db):
    return Election.objects.get(pk=ge2017.pk)


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def small_files(tmp_path):
    """The official rows of Milton Keynes South and Buckingham, as two small files."""
    header, rows = read_rows(CANDIDATES_2017)
    candidates = [r for r in rows if r[0] in (MK_SOUTH, BUCKINGHAM)]
    c_header, c_rows = read_rows(CONSTITUENCIES_2017)
    seats = [r for r in c_rows if r[0] in (MK_SOUTH, BUCKINGHAM)]
    return (
        write_csv(tmp_path / "candidates.csv", header, candidates),
        write_csv(tmp_path / "constituencies.csv", c_header, seats),
    )
