import csv
import importlib
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

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


def ensure_results_permissions() -> None:
    """Transactional tests elsewhere flush the groups; give Editor its results rights again."""
    from django.apps import apps

    migration = importlib.import_module("results.migrations.0002_editor_results_permissions")
    migration.add_permissions(apps, None)


@pytest.fixture
def editor(editor):
    ensure_results_permissions()
    return get_user_model().objects.get(pk=editor.pk)


@pytest.fixture
def small_election(small_files, db):
    """Milton Keynes South and Buckingham, official 2017 figures, Speaker counted for CON."""
    import_results_csv(
        list(small_files),
        election="ge2017",
        name="General election 2017",
        date=date(2017, 6, 8),
        previous="ge2015",
        speaker_party="CON",
    )
    return Election.objects.get(slug="ge2017")


@pytest.fixture
def mk_south(small_election):
    return ConstituencyResult.objects.get(election=small_election, constituency__ons_id=MK_SOUTH)


def entries_of(result, **votes_by_party):
    """The result's candidates as service entries, with some parties' votes changed."""
    from results.services import CandidateEntry

    return [
        CandidateEntry(
            name=c.name,
            party=c.party,
            votes=votes_by_party.get(c.party.code, c.votes),
            sitting_mp=c.sitting_mp,
            previous_share=c.previous_share,
        )
        for c in result.candidacies.select_related("party").order_by("id")
    ]
