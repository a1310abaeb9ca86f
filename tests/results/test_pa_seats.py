"""The PA seat lookup (results desk issue): loaded from a file, all or nothing, and the file
in data/ is the one pa_export writes for the 2017 seats."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from results.feeds.pa_export import SEATS_FILE, export_election
from results.ingest import import_pa_seats
from results.models import Constituency, PASeat
from tests.results.conftest import DATA, MK_SOUTH

LOOKUP = DATA / "pa-seats.csv"


def test_the_lookup_in_data_is_what_pa_export_writes_for_the_2017_seats(election_2017, tmp_path):
    export_election(election_2017, tmp_path)

    assert (tmp_path / SEATS_FILE).read_bytes() == LOOKUP.read_bytes()


def test_loading_the_lookup_places_every_2017_seat(election_2017):
    summary = import_pa_seats(LOOKUP)

    assert (summary.rows, summary.changed) == (650, True)
    assert PASeat.objects.get(constituency__ons_id=MK_SOUTH).name == "Milton Keynes South"
    assert not Constituency.objects.filter(pa_seat__isnull=True).exists()


def test_loading_the_same_lookup_again_changes_nothing(election_2017):
    import_pa_seats(LOOKUP)
    ids = list(PASeat.objects.values_list("id", flat=True))

    summary = import_pa_seats(LOOKUP)

    assert summary.changed is False
    assert list(PASeat.objects.values_list("id", flat=True)) == ids


def _lookup(tmp_path, *rows: str):
    path = tmp_path / "seats.csv"
    path.write_text("pa_number,pa_name,ons_id\n" + "".join(f"{r}\n" for r in rows))
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (("380,Milton Keynes South,E14000822", "x,Buckingham,E14000608"), "Row 3: pa_number"),
        (("380,Milton Keynes South,E14000822", "380,Buckingham,E14000608"), "given twice"),
        (("380,Milton Keynes South,E14000822", "381,,E14000608"), "pa_name is empty"),
        (("380,Milton Keynes South,E14000822", "381,Nowhere,E99999999"), "E99999999"),
        (("380,Milton Keynes South,E14000822", "381,MK again,E14000822"), "given twice"),
    ],
)
def test_a_bad_row_is_refused_with_its_number_and_nothing_is_loaded(
    election_2017, tmp_path, rows, message
):
    with pytest.raises(ValidationError, match=message):
        import_pa_seats(_lookup(tmp_path, *rows))

    assert not PASeat.objects.exists()


def test_a_file_without_the_columns_is_refused(election_2017, tmp_path):
    path = tmp_path / "seats.csv"
    path.write_text("number,name\n1,Aberavon\n")

    with pytest.raises(ValidationError, match="no ons_id, pa_name, pa_number column"):
        import_pa_seats(path)


def test_a_reloaded_row_moves_a_seat_to_its_new_number(election_2017, tmp_path):
    import_pa_seats(_lookup(tmp_path, "380,Milton Keynes South,E14000822"))

    import_pa_seats(_lookup(tmp_path, "381,Milton Keynes South,E14000822"))

    assert list(PASeat.objects.values_list("number", "constituency__ons_id")) == [(381, MK_SOUTH)]


def test_the_command_loads_the_lookup_and_says_so(election_2017, capsys):
    call_command("load_pa_seats", str(LOOKUP))
    call_command("load_pa_seats", str(LOOKUP))

    out = capsys.readouterr().out
    assert "650 PA seats loaded." in out
    assert "650 PA seats already loaded, nothing changed." in out


def test_the_command_reports_a_bad_file_and_loads_nothing(election_2017, tmp_path):
    with pytest.raises(CommandError, match=r"Row 2: .*Nothing was loaded"):
        call_command("load_pa_seats", str(_lookup(tmp_path, "0,Nowhere,E14000822")))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_pa_seats", str(tmp_path / "missing.csv"))
    assert not PASeat.objects.exists()
