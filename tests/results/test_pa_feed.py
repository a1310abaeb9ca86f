"""PA Media's XML (issue 11): the 2017 results exported as PA files and read back, and every
kind of file the desk refuses, each with its reason."""

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from results.feeds.pa import (
    HOC_CODES,
    MAX_FILE_BYTES,
    PAFileError,
    PANominations,
    PARecount,
    PAResult,
    PARush,
    PAStateOfParties,
    parse_file_name,
    parse_message,
    read_file,
)
from results.feeds.pa_export import FULL_RESULT_DELAY, SEATS_FILE, export_election
from results.figures import result_figures
from results.models import ConstituencyResult, Election
from tests.results.conftest import MK_SOUTH

PREFIX = "General_Election_2017"


@pytest.fixture(scope="module")
def exported(ge2017, django_db_blocker, tmp_path_factory) -> Path:
    """The official 2017 results written once as PA files."""
    directory = tmp_path_factory.mktemp("pa")
    with django_db_blocker.unblock():
        export_election(Election.objects.select_related("previous").get(pk=ge2017.pk), directory)
    return directory


def ons_by_number(directory: Path) -> dict[int, str]:
    with (directory / SEATS_FILE).open(encoding="utf-8", newline="") as f:
        return {int(row["pa_number"]): row["ons_id"] for row in csv.DictReader(f)}


def cards_2017(election) -> dict[str, object]:
    return {
        r.constituency.ons_id: result_figures(r)
        for r in ConstituencyResult.objects.filter(election=election).for_card()
    }


def pa_code(abbreviation: str) -> str:
    return HOC_CODES.get(abbreviation, abbreviation)


# The export --------------------------------------------------------------------------------


def test_the_export_is_laid_out_as_pa_delivers_it(exported):
    nominations = sorted((exported / "nominations").glob("*.xml"))
    rushes = sorted((exported / "results").glob(f"{PREFIX}_rush_*_1.xml"))
    results = sorted((exported / "results").glob(f"{PREFIX}_result_*_1.xml"))

    assert (len(nominations), len(rushes), len(results)) == (650, 650, 650)
    assert (exported / "results" / f"{PREFIX}_result_Milton_Keynes_South_1.xml").exists()
    assert float((exported / "results" / ".timestamp").read_text()) > 1496959200
    assert float((exported / "nominations" / ".timestamp").read_text()) > 0
    assert len(ons_by_number(exported)) == 650
    assert not list(exported.rglob("*.tmp"))


def test_every_exported_result_reads_back_as_the_seat_in_the_database(exported, election_2017):
    ons = ons_by_number(exported)
    cards = cards_2017(election_2017)
    seen = set()
    for path in (exported / "results").glob(f"{PREFIX}_result_*.xml"):
        message = read_file(path)
        assert isinstance(message, PAResult)
        seat = message.constituency
        card = cards[ons[seat.number]]
        result = card.result
        assert seat.name == result.constituency.name
        assert seat.electorate == result.electorate
        assert seat.turnout - seat.valid_votes == result.invalid_votes
        assert message.declaration_time == result.declared_at
        assert pa_code(seat.winning_party) == card.winner.party.code
        assert seat.gain_or_hold == card.outcome.lower()
        assert pa_code(seat.sitting_party) == result.previous_winner.code
        assert seat.majority == card.majority
        assert sorted(
            (c.name, pa_code(c.party.abbreviation), c.party.votes) for c in seat.candidates
        ) == sorted((c.name, c.party.code, c.votes) for c in card.candidates)
        seen.add(result.constituency.ons_id)
    assert len(seen) == 650


def test_every_exported_rush_names_the_winner_and_hold_or_gain(exported, election_2017):
    ons = ons_by_number(exported)
    cards = cards_2017(election_2017)
    for path in (exported / "results").glob(f"{PREFIX}_rush_*.xml"):
        message = read_file(path)
        assert isinstance(message, PARush)
        card = cards[ons[message.constituency.number]]
        assert pa_code(message.winning_party_abbreviation) == card.winner.party.code
        assert message.gain_or_hold == card.outcome.lower()


def test_every_exported_nomination_lists_the_candidates_and_previous_shares(
    exported, election_2017
):
    ons = ons_by_number(exported)
    cards = cards_2017(election_2017)
    for path in (exported / "nominations").glob("*.xml"):
        message = read_file(path)
        assert isinstance(message, PANominations)
        card = cards[ons[message.constituency.number]]
        assert sorted(c.name for c in message.constituency.candidates) == sorted(
            c.name for c in card.candidates
        )
        shares = {
            pa_code(c.party.abbreviation): float(c.party.share) / 100
            for c in message.previous.candidates
        }
        expected = {
            c.party.code: float(c.previous_share)
            for c in card.result.candidacies.all()
            if c.previous_share is not None
        }
        assert shares == pytest.approx(expected, abs=1e-6)


def test_milton_keynes_south_is_the_librarys_official_count(exported, election_2017):
    message = read_file(exported / "results" / f"{PREFIX}_result_Milton_Keynes_South_1.xml")
    votes = {c.party.abbreviation: c.party.votes for c in message.constituency.candidates}
    declared_at = ConstituencyResult.objects.get(constituency__ons_id=MK_SOUTH).declared_at

    assert (votes["C"], votes["Lab"]) == (30652, 28987)
    assert message.constituency.majority == 1665
    assert message.declaration_time == declared_at
    assert message.revision == 1


def test_file_times_are_the_real_declaration_times(exported, election_2017):
    declared_at = ConstituencyResult.objects.get(constituency__ons_id=MK_SOUTH).declared_at
    rush = exported / "results" / f"{PREFIX}_rush_Milton_Keynes_South_1.xml"
    result = exported / "results" / f"{PREFIX}_result_Milton_Keynes_South_1.xml"

    assert datetime.fromtimestamp(rush.stat().st_mtime, declared_at.tzinfo) == declared_at
    assert timedelta(seconds=result.stat().st_mtime - rush.stat().st_mtime) == FULL_RESULT_DELAY


def test_the_export_reads_the_database_in_constant_queries(
    election_2017, tmp_path, django_assert_num_queries
):
    with django_assert_num_queries(2):
        summary = export_election(election_2017, tmp_path)

    assert (summary.seats, summary.files) == (650, 1950)


@pytest.mark.django_db
def test_pa_export_command_refuses_an_unknown_election(tmp_path):
    with pytest.raises(CommandError, match="No election 'ge1066'"):
        call_command("pa_export", str(tmp_path), "--election", "ge1066")


def test_pa_export_command_writes_the_folders(election_2017, tmp_path, capsys):
    call_command("pa_export", str(tmp_path / "feed"), "--election", "ge2017")

    assert "1950 files for 650 seats" in capsys.readouterr().out
    assert len(list((tmp_path / "feed" / "results").glob("*.xml"))) == 1300


# Files the desk refuses ----------------------------------------------------------------------

RESULT_FILE = f"{PREFIX}_result_Milton_Keynes_South_2.xml"

GOOD_RESULT = """<?xml version="1.0" encoding="utf-8"?>
<FirstPastThePostResult revision="2" declarationTime="2017-06-09T04:22:00+01:00">
  <Election name="General Election 2017" date="2017-06-08">
    <Constituency number="380" name="Milton Keynes South" electorate="92740" turnout="64769"
                  winningParty="C" sittingParty="C" gainOrHold="hold">
      <Candidate firstName="Iain" surname="Stewart">
        <Party name="Conservative" abbreviation="C" votes="{con}"/>
      </Candidate>
      <Candidate firstName="Hannah" surname="O'Neill">
        <Party name="Labour" abbreviation="Lab" votes="{lab}"/>
      </Candidate>
    </Constituency>
  </Election>
</FirstPastThePostResult>
"""


def good(con: str = "30652", lab: str = "28987") -> bytes:
    return GOOD_RESULT.format(con=con, lab=lab).encode()


def refused(data: bytes, file: str = RESULT_FILE, **kwargs) -> PAFileError:
    with pytest.raises(PAFileError) as info:
        parse_message(data, file=file, **kwargs)
    return info.value


def test_a_good_result_reads(db):
    message = parse_message(good(), file=RESULT_FILE)

    assert isinstance(message, PAResult)
    assert [c.name for c in message.constituency.candidates] == ["Iain Stewart", "Hannah O'Neill"]
    assert message.revision == 2


def test_malformed_xml_is_refused_with_its_line(db):
    error = refused(good().replace(b"</Constituency>", b""))

    assert error.code == "malformed"
    assert error.line == 13
    assert error.file == RESULT_FILE
    assert str(error).startswith(f"{RESULT_FILE}, line 13: The file is not well-formed XML")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<FirstPastThePostResult revision="2">&lol3;</FirstPastThePostResult>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<FirstPastThePostResult revision="2">&secret;</FirstPastThePostResult>
"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["bomb", "external"])
def test_an_xml_bomb_or_external_entity_is_refused_unread(db, data):
    error = refused(data)

    assert error.code == "dtd"
    assert "XML bomb" in error.reason
    assert error.line == 2


def test_a_file_in_an_unknown_encoding_is_refused(db):
    # found by hypothesis (tests/results/test_pa_feed_junk.py): expat raised LookupError
    error = refused(good().replace(b'encoding="utf-8"', b'encoding="tf-8"'))

    assert error.code == "malformed"
    assert "unknown encoding" in error.reason


def test_an_unknown_message_is_refused(db):
    error = refused(b'<Referendum revision="2"/>')

    assert error.code == "unknown_message"
    assert "<Referendum>" in error.reason


def test_negative_votes_are_refused_at_their_line(db):
    error = refused(good(lab="-28987"))

    assert error.code == "negative_votes"
    assert error.line == 10


def test_votes_that_are_not_a_number_are_refused(db):
    assert refused(good(lab="28,987")).code == "not_a_number"


def test_a_winner_who_is_not_the_top_candidate_is_refused(db):
    error = refused(good(con="100"))

    assert error.code == "winner_not_top"
    assert "went to Lab" in error.reason
    assert error.line == 4


def test_a_test_account_file_is_refused_while_the_election_is_live(db):
    file = "General_Election_Test_result_Milton_Keynes_South_2.xml"

    assert refused(good(), file=file).code == "test_account"
    assert parse_message(good(), file=file, allow_test=True).is_test


def test_a_seat_called_test_valley_is_not_the_test_account():
    assert not parse_file_name(f"{PREFIX}_result_Test_Valley_1.xml").is_test


def test_a_file_whose_name_and_content_disagree_is_refused(db):
    assert refused(good(), file=f"{PREFIX}_rush_Milton_Keynes_South_2.xml").code == (
        "kind_mismatch"
    )
    assert refused(good(), file=f"{PREFIX}_result_Milton_Keynes_South_3.xml").code == (
        "revision_mismatch"
    )


def test_a_file_name_pa_would_not_send_is_refused(db):
    assert refused(good(), file="results.xml").code == "file_name"


def test_a_missing_attribute_is_named(db):
    error = refused(good().replace(b' declarationTime="2017-06-09T04:22:00+01:00"', b""))

    assert error.code == "missing"
    assert "declarationTime" in error.reason


def test_a_declaration_time_without_offset_is_refused(db):
    assert refused(good().replace(b"+01:00", b"")).code == "not_a_number"


def test_a_file_larger_than_any_pa_message_is_refused_before_parsing(db):
    assert refused(good() + b" " * MAX_FILE_BYTES).code == "too_large"


def test_elements_nested_absurdly_deep_are_refused(db):
    deep = b'<FirstPastThePostResult revision="2">' + b"<a>" * 50 + b"</a>" * 50
    deep += b"</FirstPastThePostResult>"

    assert refused(deep).code == "too_deep"


def test_an_unreadable_file_is_refused(tmp_path):
    with pytest.raises(PAFileError) as info:
        read_file(tmp_path / RESULT_FILE)

    assert info.value.code == "unreadable"


def test_unknown_attributes_and_elements_inside_a_message_are_ignored(db):
    data = good().replace(b"<Candidate ", b'<Extra colour="x"/><Candidate shoeSize="9" ', 1)

    assert len(parse_message(data, file=RESULT_FILE).constituency.candidates) == 2


def test_text_goes_through_the_site_text_rule(db):
    data = good().replace(b'surname="Stewart"', 'surname="Ste\u0085wart  "'.encode())

    assert parse_message(data, file=RESULT_FILE).constituency.candidates[0].surname == "Stewart"


def test_a_recount_reads_with_its_revision(db):
    data = b"""<Recount revision="3"><Election name="General Election 2017" date="2017-06-08">
      <Constituency number="380" name="Milton Keynes South"/></Election></Recount>"""

    message = parse_message(data, file=f"{PREFIX}_recount_Milton_Keynes_South_3.xml")

    assert isinstance(message, PARecount)
    assert (message.revision, message.constituency.number) == (3, 380)


def test_a_state_of_parties_reads_with_forecasts(db):
    data = b"""<SOP revision="120" name="General Election 2017">
      <Party name="Conservative" abbreviation="C" seats="60" gains="2" losses="5"
             percentageShare="42.3" forecastSeats="318"/></SOP>"""

    message = parse_message(data, file=f"{PREFIX}_SOP_120.xml")

    assert isinstance(message, PAStateOfParties)
    assert [(p.abbreviation, p.seats, p.forecast_seats) for p in message.parties] == [
        ("C", 60, 318)
    ]


def test_a_rush_without_hold_or_gain_is_refused(db):
    data = b"""<FirstPastThePostRush revision="1"><Election name="GE">
      <Constituency number="380" name="Milton Keynes South" winningPartyAbbreviation="C"/>
      </Election></FirstPastThePostRush>"""

    with pytest.raises(PAFileError) as info:
        parse_message(data, file=f"{PREFIX}_rush_Milton_Keynes_South_1.xml")

    assert "gainOrHold" in info.value.reason
    assert info.value.line == 2
