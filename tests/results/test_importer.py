"""The importer against the official House of Commons Library 2017 files (issue 5)."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from results.figures import result_figures
from results.models import Candidacy, ConstituencyResult, ResultRevision
from results.selectors import get_scoreboard
from tests.results.conftest import CANDIDATES_2017, CONSTITUENCIES_2017, MK_SOUTH, import_2017

pytestmark = pytest.mark.django_db


def test_national_table_matches_the_seed_from_the_official_files(election_2017):
    board = get_scoreboard(election_2017)

    headline = {row.party.code: (row.seats, row.change) for row in board.headline}
    assert headline == {
        "CON": (318, -13),
        "LAB": (262, 30),
        "SNP": (35, -21),
        "LD": (12, 4),
        "DUP": (10, 2),
    }
    assert (board.others_seats, board.others_change) == (13, -2)
    assert (board.declared, board.total) == (650, 650)


def test_speaker_counted_separately_gives_the_librarys_own_count(election_2017):
    election_2017.speaker_party = None

    board = get_scoreboard(election_2017)

    seats = {row.party.code: row.seats for row in board.parties}
    assert seats["CON"] == 317
    assert seats["SPK"] == 1


def test_milton_keynes_south_card_matches_the_official_count(election_2017):
    result = ConstituencyResult.objects.for_card().get(
        election=election_2017, constituency__ons_id=MK_SOUTH
    )

    figures = result_figures(result)

    assert figures.headline == "CON HOLD"
    assert figures.winner.name == "Iain Stewart"
    assert figures.winner.share_percent == 47.5
    # Official count; the seed's 1,725 (and Labour's +12.7) are the on-the-night figures.
    assert figures.majority == 1665
    assert figures.turnout_percent == 69.8
    assert [
        (c.party.code, c.name, c.votes, c.share_percent, c.change_percent)
        for c in figures.candidates
    ] == [
        ("CON", "Iain Stewart", 30652, 47.5, 0.7),
        ("LAB", "Hannah O'Neill", 28987, 44.9, 12.8),
        ("LD", "Tahir Maher", 1895, 2.9, -1.0),
        ("UKIP", "Vince Peddle", 1833, 2.8, -10.4),
        ("GRN", "Graham Findlay", 1179, 1.8, -1.5),
    ]


def test_gain_names_the_party_that_lost_the_seat(election_2017):
    result = ConstituencyResult.objects.for_card().get(
        election=election_2017, constituency__name="Bedford"
    )

    assert result_figures(result).headline == "LAB GAIN FROM CON"


def test_labour_and_cooperative_candidates_count_as_labour(election_2017):
    result = ConstituencyResult.objects.for_card().get(
        election=election_2017, constituency__name="Bristol South"
    )

    assert result_figures(result).winner.party.code == "LAB"


def test_every_official_row_is_imported(election_2017):
    assert ConstituencyResult.objects.filter(election=election_2017).count() == 650
    assert Candidacy.objects.filter(result__election=election_2017).count() == 3304
    assert ResultRevision.objects.filter(result__election=election_2017).count() == 650


def test_importing_the_same_files_again_changes_nothing(election_2017):
    before = list(
        Candidacy.objects.order_by("id").values_list("id", "name", "votes", "previous_share")
    )

    summary = import_2017()

    assert (summary.created, summary.changed, summary.unchanged) == (0, 0, 650)
    after = list(
        Candidacy.objects.order_by("id").values_list("id", "name", "votes", "previous_share")
    )
    assert after == before
    assert ResultRevision.objects.count() == 650


def test_reimport_restores_an_edited_count_with_a_revision(election_2017):
    labour = Candidacy.objects.get(result__constituency__ons_id=MK_SOUTH, party__code="LAB")
    labour.votes = 28927
    labour.save()

    summary = import_2017()

    assert (summary.changed, summary.unchanged) == (1, 649)
    labour.refresh_from_db()
    assert labour.votes == 28987
    revision = ResultRevision.objects.filter(result=labour.result).latest("number")
    assert revision.number == 2
    assert revision.changes == [
        "Status: declared → corrected",
        "Hannah O'Neill (LAB) votes: 28,927 → 28,987",
    ]


def test_previous_share_is_the_official_change_subtracted(election_2017):
    labour = Candidacy.objects.get(result__constituency__ons_id=MK_SOUTH, party__code="LAB")

    assert labour.previous_share == Decimal("0.449091") - Decimal("0.127982")


def test_command_imports_and_reports(election_2017, capsys):
    call_command(
        "import_results",
        "--election",
        "ge2017",
        "--name",
        "General election 2017",
        "--date",
        "2017-06-08",
        "--previous",
        "ge2015",
        str(CANDIDATES_2017),
        str(CONSTITUENCIES_2017),
    )

    out = capsys.readouterr().out
    assert "650 constituencies, 3304 candidates" in out
    assert "650 unchanged" in out


def test_scoreboard_runs_three_queries_for_650_seats(election_2017, django_assert_num_queries):
    with django_assert_num_queries(3):
        board = get_scoreboard(election_2017)

    assert board.declared == 650


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_command_shows_progress_on_a_terminal(election_2017):
    out = _Terminal()

    call_command(
        "import_results",
        "--election=ge2017",
        "--name=General election 2017",
        "--date=2017-06-08",
        str(CANDIDATES_2017),
        str(CONSTITUENCIES_2017),
        stdout=out,
    )

    assert "Writing results: 650/650" in out.getvalue()
