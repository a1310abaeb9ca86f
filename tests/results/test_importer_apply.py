"""The importer enters results through results.services: parsing reads no database, every
seat is written under its row lock with a revision, in a bounded number of queries, and an
import after an editor's correction is a correction too, kept in the revisions."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liveblog import services as liveblog_services
from liveblog.models import LiveEvent
from results import services
from results.importers.hoc import ResultsImportError, apply, import_results_csv
from results.importers.hoc.parse import parse_files
from results.models import Candidacy, ConstituencyResult, ResultRevision

from .conftest import (
    CANDIDATES_2017,
    CONSTITUENCIES_2017,
    MK_SOUTH,
    delete_all_results,
    entries_of,
    read_rows,
    write_csv,
)

pytestmark = pytest.mark.django_db

# A first import enters each seat in: a savepoint and its release, the election's row lock,
# a check that the seat has no result yet, the result, its candidates, its revision, the
# election's results version, the cards showing it (no posts query when none does).
QUERIES_PER_NEW_SEAT = 9
# A second import: a savepoint and its release, the result's status, then the election's
# row lock, the locked result and its candidates, which it leaves as they are.
QUERIES_PER_UNCHANGED_SEAT = 6


def _first_seats(tmp_path, count: int) -> list:
    """The official files cut down to their first `count` constituencies."""
    c_header, c_rows = read_rows(CONSTITUENCIES_2017)
    seats = c_rows[:count]
    ids = {row[0] for row in seats}
    header, rows = read_rows(CANDIDATES_2017)
    folder = tmp_path / str(count)
    folder.mkdir()
    return [
        write_csv(folder / "candidates.csv", header, [r for r in rows if r[0] in ids]),
        write_csv(folder / "constituencies.csv", c_header, seats),
    ]


def _import(paths):
    return import_results_csv(
        paths, election="ge2017", name="General election 2017", date=date(2017, 6, 8)
    )


def _queries_to_import(paths) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _import(paths)
    return len(ctx.captured_queries)


def test_parsing_the_official_files_reads_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        files = parse_files([CANDIDATES_2017, CONSTITUENCIES_2017])

    assert (len(files.seats), files.candidates) == (650, 3304)
    seat = files.seats[MK_SOUTH]
    assert (seat.name, seat.electorate, len(seat.candidates)) == ("Milton Keynes South", 92417, 5)


def test_a_first_import_runs_the_same_queries_for_each_seat(tmp_path):
    one = _queries_to_import(_first_seats(tmp_path, 1))
    delete_all_results()

    five = _queries_to_import(_first_seats(tmp_path, 5))

    assert five - one == 4 * QUERIES_PER_NEW_SEAT


def test_importing_again_runs_the_same_queries_for_each_seat(tmp_path):
    small, large = _first_seats(tmp_path, 1), _first_seats(tmp_path, 5)
    _import(large)

    one = _queries_to_import(small)
    five = _queries_to_import(large)

    assert five - one == 4 * QUERIES_PER_UNCHANGED_SEAT
    assert ResultRevision.objects.count() == 5


def test_imported_results_are_entered_as_imports_without_an_editor(small_election):
    result = ConstituencyResult.objects.get(election=small_election, constituency__ons_id=MK_SOUTH)

    revision = result.revisions.get()

    assert (revision.number, revision.kind, revision.by) == (1, "imported", None)
    assert revision.note.startswith("Imported from ")
    assert revision.changes == ["First recorded"]
    assert (result.status, result.declared_at.isoformat()) == (
        "declared",
        "2017-06-09T03:22:00+00:00",  # 04:22 in London,
    )


def test_an_import_after_a_correction_sets_the_files_figures_back_with_a_revision(
    small_files, mk_south, editor
):
    services.correct_result(
        mk_south,
        candidates=entries_of(mk_south, LAB=28927),
        electorate=92417,
        invalid_votes=122,
        by=editor,
        note="Recount",
    )

    summary = _import(list(small_files))

    assert (summary.created, summary.changed, summary.unchanged) == (0, 1, 1)
    assert Candidacy.objects.get(result=mk_south, party__code="LAB").votes == 28987
    revisions = list(mk_south.revisions.order_by("number"))
    assert [(r.number, r.kind, r.by) for r in revisions] == [
        (1, "imported", None),
        (2, "corrected", editor),
        (3, "imported", None),
    ]
    # Nothing silently overwritten: the import's revision says what it undid.
    assert revisions[2].changes == ["Hannah O'Neill (LAB) votes: 28,927 → 28,987"]


def test_an_import_racing_a_correction_writes_after_it_and_says_what_it_changed(
    small_files, mk_south, editor, monkeypatch
):
    """The editor saves while the import reads its files: the import enters each seat
    under its row lock, from what is in the database then, not from what it read before."""
    parse = apply.parse_files

    def parse_while_an_editor_corrects(paths):
        files = parse(paths)
        services.correct_result(
            mk_south,
            candidates=entries_of(mk_south, CON=30000),
            electorate=92417,
            invalid_votes=122,
            by=editor,
        )
        return files

    monkeypatch.setattr(apply, "parse_files", parse_while_an_editor_corrects)

    _import(list(small_files))

    latest = mk_south.revisions.latest("number")
    assert (latest.number, latest.kind) == (3, "imported")
    assert latest.changes == ["Iain Stewart (CON) votes: 30,000 → 30,652"]
    assert latest.snapshot["status"] == "corrected"


def test_a_seat_the_services_refuse_fails_the_import_and_undoes_the_seats_before_it(
    small_files, mk_south, monkeypatch
):
    correct = services._correct

    def refuse_milton_keynes(result, **kwargs):
        if result.pk == mk_south.pk:
            raise services.ValidationError("Milton Keynes South is being recounted.")
        return correct(result, **kwargs)

    monkeypatch.setattr(services, "_correct", refuse_milton_keynes)
    candidates, constituencies = small_files
    header, rows = read_rows(candidates)
    for row in rows:  # Buckingham comes first and would be corrected
        if row[header.index("Constituency name")] == "Buckingham":
            row[header.index("Sitting MP")] = "Yes"
    changed = write_csv(candidates.parent / "changed.csv", header, rows)
    before = list(Candidacy.objects.order_by("id").values_list("name", "sitting_mp"))
    revisions = ResultRevision.objects.count()

    with pytest.raises(ResultsImportError) as refused:
        _import([changed, constituencies])

    assert "Milton Keynes South: Milton Keynes South is being recounted." in str(refused.value)
    assert list(Candidacy.objects.order_by("id").values_list("name", "sitting_mp")) == before
    assert ResultRevision.objects.count() == revisions


def test_an_import_updates_a_post_showing_the_scoreboard_once_however_many_seats_change(
    tmp_path, blog, editor, django_capture_on_commit_callbacks
):
    paths = _first_seats(tmp_path, 5)
    election = _import(paths).election
    post = liveblog_services.create_post(blog=blog, by=editor, headline="The national picture")
    services.attach_scoreboard_card(post, election, by=editor)
    header, rows = read_rows(paths[0])
    for row in rows:  # every seat changes: all its candidates become sitting MPs
        row[header.index("Sitting MP")] = "Yes"
    changed = write_csv(tmp_path / "changed.csv", header, rows)
    since = LiveEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        summary = _import([changed, paths[1]])

    assert summary.changed == 5
    events = list(LiveEvent.objects.order_by("seq")[since:])
    assert [(e.kind, e.post_id) for e in events] == [(LiveEvent.Kind.POST_UPDATED, post.pk)]
