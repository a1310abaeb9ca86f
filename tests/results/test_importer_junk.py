"""Issue 14: property tests of the House of Commons Library importer against junk files.

Whatever the bytes, the importer either imports or raises ResultsImportError with a message
(nothing written); never another exception. Text it does import obeys the text rule.
"""

import csv
import io
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from results.importers.hoc import ResultsImportError
from results.importers.hoc import import_results_csv as import_files
from results.importers.hoc.layouts import CANDIDATES_TITLE, CONSTITUENCIES
from results.models import Candidacy, Constituency, ConstituencyResult, Election, Party
from tests.results.conftest import CANDIDATES_2017, MK_SOUTH, read_rows

pytestmark = pytest.mark.django_db

BOUNDED = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MODELS = (Election, Constituency, ConstituencyResult, Candidacy)


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in MODELS)


def _import(*contents: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for n, content in enumerate(contents):
            path = Path(folder) / f"file{n}.csv"
            path.write_bytes(content)
            paths.append(path)
        import_files(paths, election="ge2017", name="General election 2017", date=date(2017, 6, 8))


def _imports_or_refuses_cleanly(*contents: bytes) -> None:
    before = _counts()
    parties_before = Party.objects.count()
    try:
        _import(*contents)
    except ResultsImportError as exc:
        assert str(exc).startswith("Nothing was imported.")
        assert exc.errors and all(isinstance(e, str) and e for e in exc.errors)
        assert _counts() == before
        assert Party.objects.count() == parties_before


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode("utf-8", "surrogatepass")


cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "0", "-1", "1,000", "9" * 30, "Yes", "No", "0.5", "NaN", "\x00", "\r"]),
)


@BOUNDED
@given(st.binary(max_size=400))
def test_any_bytes_import_or_fail_with_a_message_and_write_nothing(content):
    _imports_or_refuses_cleanly(content)


@BOUNDED
@given(st.text(max_size=300))
def test_any_text_imports_or_fails_with_a_message_and_writes_nothing(text):
    _imports_or_refuses_cleanly(text.encode("utf-8", "surrogatepass"))


@BOUNDED
@given(
    st.lists(
        st.lists(cells, min_size=len(CANDIDATES_TITLE.columns), max_size=14), min_size=1, max_size=5
    )
)
def test_junk_rows_under_a_real_header_import_or_fail_with_a_message(rows):
    _imports_or_refuses_cleanly(_csv(list(CANDIDATES_TITLE.columns.values()), rows))


@BOUNDED
@given(st.lists(st.lists(cells, min_size=10, max_size=12), min_size=1, max_size=5))
def test_junk_constituency_rows_import_or_fail_with_a_message(rows):
    candidates = _csv(*_official_rows())
    _imports_or_refuses_cleanly(candidates, _csv(list(CONSTITUENCIES.columns.values()), rows))


@BOUNDED
@given(data=st.data())
def test_one_junk_cell_in_official_rows_imports_or_fails_with_a_message(data):
    # Official rows get furthest: the import reaches the writes, where a value too long or
    # too large for its column would have been a database error on PostgreSQL.
    header, rows = _official_rows()
    row = data.draw(st.sampled_from(rows))
    column = data.draw(st.integers(min_value=0, max_value=len(header) - 1))
    row[column] = data.draw(
        st.one_of(cells, st.sampled_from(["x" * 200, "9" * 12, "4294967296", "E" * 13]))
    )
    _imports_or_refuses_cleanly(_csv(header, rows))


def _official_rows() -> tuple[list[str], list[list[str]]]:
    header, rows = read_rows(CANDIDATES_2017)
    return header, [r for r in rows if r[0] == MK_SOUTH]


def test_nul_in_a_cell_is_refused_with_file_line_and_field(db):
    header, rows = _official_rows()
    rows[1][header.index("Candidate surname")] = "Hay\x00es"

    with pytest.raises(ResultsImportError) as refused:
        _import(_csv(header, rows))

    assert 'line 3, field "Candidate surname"' in str(refused.value)
    assert "NUL" in str(refused.value)
    assert _counts() == (0, 0, 0, 0)


def test_control_characters_in_cells_are_removed_by_the_text_rule(db):
    header, rows = _official_rows()
    rows[0][header.index("Candidate surname")] = "Ste\x01vens\ufffe"

    _import(_csv(header, rows))

    assert Candidacy.objects.filter(name__endswith=" Stevens").exists()


def test_a_field_larger_than_the_csv_limit_is_a_clear_error(db):
    header, rows = _official_rows()
    rows[0][header.index("Candidate surname")] = "x" * 200_000

    with pytest.raises(ResultsImportError) as refused:
        _import(_csv(header, rows))

    assert "line 2" in str(refused.value)
    assert _counts() == (0, 0, 0, 0)
