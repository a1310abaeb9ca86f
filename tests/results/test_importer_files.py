"""Importer: layouts, previous winners and bad input (issue 5). Nothing is written on error."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from results.figures import result_figures
from results.importers.hoc import ResultsImportError, import_results_csv
from results.models import Candidacy, Constituency, ConstituencyResult, Election, Party
from tests.results.conftest import BUCKINGHAM, CANDIDATES_2017, MK_SOUTH, read_rows, write_csv

pytestmark = pytest.mark.django_db

SNAKE_HEADER = [
    "ons_id",
    "ons_region_id",
    "constituency_name",
    "county_name",
    "region_name",
    "country_name",
    "constituency_type",
    "party_name",
    "party_abbreviation",
    "firstname",
    "surname",
    "gender",
    "sitting_mp",
    "former_mp",
    "votes",
    "share",
    "change",
]


def snake_row(ons_id, seat, party, abbr, first, last, votes, sitting="No"):
    return [
        ons_id,
        "E12000008",
        seat,
        "",
        "South East",
        "England",
        "Borough",
        party,
        abbr,
        first,
        last,
        "Male",
        sitting,
        "No",
        str(votes),
        "",
        "",
    ]


SNAKE_ROWS = [
    snake_row(
        MK_SOUTH, "Milton Keynes South", "Conservative", "Con", "Iain", "Stewart", 32011, "Yes"
    ),
    snake_row(MK_SOUTH, "Milton Keynes South", "Labour", "Lab", "Hannah", "O'Neill", 25067),
    snake_row(MK_SOUTH, "Milton Keynes South", "Green Party", "Green", "Alan", "Francis", 1495),
    snake_row(BUCKINGHAM, "Buckingham", "Conservative", "Con", "Greg", "Smith", 37035),
    snake_row(BUCKINGHAM, "Buckingham", "Liberal Democrat", "LD", "Stephen", "Dorrell", 16624),
]


def run(paths, **kwargs):
    options = {"election": "ge2017", "name": "General election 2017", "date": date(2017, 6, 8)}
    options.update(kwargs)
    return import_results_csv(paths, **options)


def assert_nothing_written():
    assert Election.objects.count() == 0
    assert Party.objects.count() == 0
    assert Constituency.objects.count() == 0
    assert Candidacy.objects.count() == 0


def test_snake_case_candidate_file_is_detected_and_imported(tmp_path):
    path = write_csv(tmp_path / "ge2019.csv", SNAKE_HEADER, SNAKE_ROWS)

    summary = run([path], election="ge2019", name="General election 2019", date=date(2019, 12, 12))

    assert (summary.constituencies, summary.candidates) == (2, 5)
    result = ConstituencyResult.objects.for_card().get(constituency__ons_id=MK_SOUTH)
    figures = result_figures(result)
    assert (figures.winner.name, figures.winner.party.code, figures.majority) == (
        "Iain Stewart",
        "CON",
        6944,
    )
    assert figures.headline == "CON WIN"  # no previous election known
    assert figures.turnout is None  # no constituency file, so no electorate


def test_previous_winners_come_from_the_previous_election_in_the_database(tmp_path, small_files):
    run(list(small_files), previous="ge2015", speaker_party="CON")
    path = write_csv(tmp_path / "ge2019.csv", SNAKE_HEADER, SNAKE_ROWS)

    run(
        [path],
        election="ge2019",
        name="General election 2019",
        date=date(2019, 12, 12),
        previous="ge2017",
    )

    cards = {
        r.constituency.ons_id: result_figures(r)
        for r in ConstituencyResult.objects.for_card().filter(election__slug="ge2019")
    }
    assert cards[MK_SOUTH].headline == "CON HOLD"
    assert cards[BUCKINGHAM].headline == "CON GAIN FROM SPK"
    labour = next(c for c in cards[MK_SOUTH].candidates if c.party.code == "LAB")
    assert labour.change_percent == round((25067 / 58573 - 28987 / 64546) * 100, 1)
    green = next(c for c in cards[MK_SOUTH].candidates if c.party.code == "GRN")
    assert green.change_percent == round((1495 / 58573 - 1179 / 64546) * 100, 1)


def test_previous_winners_come_from_the_result_column_without_the_previous_election(
    small_files,
):
    run(list(small_files), previous="ge2015")

    result = ConstituencyResult.objects.select_related("previous_winner").get(
        constituency__ons_id=BUCKINGHAM
    )
    assert result.previous_winner.code == "SPK"


def test_unknown_header_names_the_missing_columns(tmp_path):
    path = write_csv(tmp_path / "other.csv", ["ONS ID", "Constituency name", "Votes"], [])

    with pytest.raises(ResultsImportError) as exc:
        run([path])

    message = str(exc.value)
    assert f"{path}, line 1" in message
    assert "Party name" in message and "Candidate surname" in message
    assert_nothing_written()


def bad_candidate_file(tmp_path, line: int, column: str, value: str):
    """The official MK South and Buckingham rows with one field changed."""
    header, rows = read_rows(CANDIDATES_2017)
    rows = [r for r in rows if r[0] in (MK_SOUTH, BUCKINGHAM)]
    rows[line - 2][header.index(column)] = value
    return write_csv(tmp_path / "bad.csv", header, rows)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("abc", "“abc” is not a whole number"), ("-5", "-5 is negative")],
)
def test_bad_votes_are_rejected_with_file_line_and_field(tmp_path, value, expected):
    path = bad_candidate_file(tmp_path, 3, "Votes", value)

    with pytest.raises(ResultsImportError) as exc:
        run([path])

    assert f'{path}, line 3, field "Votes": {expected}' in str(exc.value)
    assert_nothing_written()


def test_a_tie_without_a_tie_break_is_rejected(tmp_path):
    header, rows = read_rows(CANDIDATES_2017)
    rows = [r for r in rows if r[0] == MK_SOUTH]
    votes = header.index("Votes")
    for row in rows:
        if row[header.index("Candidate surname")] == "O'Neill":
            row[votes] = "30652"
    path = write_csv(tmp_path / "tie.csv", header, rows)

    with pytest.raises(ResultsImportError) as exc:
        run([path])

    assert "tie for first place on 30,652 votes" in str(exc.value)
    assert_nothing_written()


def test_a_candidate_in_an_unknown_constituency_is_rejected(tmp_path, small_files):
    candidates, constituencies = small_files
    header, rows = read_rows(candidates)
    rows[0][0] = "E14999999"
    path = write_csv(tmp_path / "stray.csv", header, rows)

    with pytest.raises(ResultsImportError) as exc:
        run([path, constituencies])

    assert f'{path}, line 2, field "ONS id": constituency E14999999 is not in' in str(exc.value)
    assert_nothing_written()


def test_a_file_that_is_not_utf8_is_rejected(tmp_path, small_files):
    candidates, _ = small_files
    raw = candidates.read_bytes().replace(b"O'Neill", "O’Neill".encode("cp1252"))
    path = tmp_path / "latin.csv"
    path.write_bytes(raw)

    with pytest.raises(ResultsImportError) as exc:
        run([path])

    assert f"{path}, line " in str(exc.value)
    assert "is not UTF-8" in str(exc.value)
    assert_nothing_written()


def test_constituency_totals_that_disagree_with_the_candidates_are_rejected(tmp_path, small_files):
    candidates, constituencies = small_files
    header, rows = read_rows(constituencies)
    rows[0][header.index("valid_votes")] = "1"
    path = write_csv(tmp_path / "seats.csv", header, rows)

    with pytest.raises(ResultsImportError) as exc:
        run([candidates, path])

    assert f'{path}, line 2, field "valid_votes": 1 in the file' in str(exc.value)
    assert_nothing_written()


def test_one_bad_line_in_the_full_official_file_writes_nothing(tmp_path):
    header, rows = read_rows(CANDIDATES_2017)
    rows[2000][header.index("Votes")] = "lots"
    path = write_csv(tmp_path / "full.csv", header, rows)

    with pytest.raises(ResultsImportError) as exc:
        run([path])

    assert f'{path}, line 2002, field "Votes"' in str(exc.value)
    assert_nothing_written()


def test_a_failed_reimport_leaves_the_previous_import_untouched(tmp_path, small_files):
    run(list(small_files))
    path = bad_candidate_file(tmp_path, 6, "Votes", "x")
    before = list(Candidacy.objects.order_by("id").values_list("name", "votes"))

    with pytest.raises(ResultsImportError):
        run([path, small_files[1]])

    assert list(Candidacy.objects.order_by("id").values_list("name", "votes")) == before


def test_command_reports_bad_input_as_a_command_error(tmp_path):
    path = bad_candidate_file(tmp_path, 3, "Votes", "abc")

    with pytest.raises(CommandError, match=r"(?s)Nothing was imported.*line 3"):
        call_command(
            "import_results",
            "--election",
            "ge2017",
            "--name",
            "GE",
            "--date",
            "2017-06-08",
            str(path),
        )
    assert_nothing_written()
