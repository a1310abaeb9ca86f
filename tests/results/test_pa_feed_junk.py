"""Whatever arrives in the PA folder, the reader answers with a message or a PAFileError,
never another exception (issue 11): junk bytes, damaged files, hostile values, odd names."""

from xml.sax.saxutils import quoteattr

from hypothesis import given, settings
from hypothesis import strategies as st

from results.feeds.pa import PAFileError, PAFileName, PAMessage, parse_file_name, parse_message

BOUNDED = settings(max_examples=100, deadline=None)
FILE = "General_Election_2017_result_Milton_Keynes_South_2.xml"

RESULT = """<?xml version="1.0" encoding="utf-8"?>
<FirstPastThePostResult revision={revision} declarationTime={time}>
  <Election name={election} date={date}>
    <Constituency number={number} name={name} electorate={electorate} turnout="64769"
                  winningParty={winner} gainOrHold={gain}>
      <Candidate firstName={first} surname="Stewart">
        <Party name="Conservative" abbreviation="C" votes={votes} percentageShare={share}/>
      </Candidate>
      <Candidate firstName="Hannah" surname="O'Neill">
        <Party name="Labour" abbreviation="Lab" votes="28987" percentageShareChange={change}/>
      </Candidate>
    </Constituency>
  </Election>
</FirstPastThePostResult>
"""
GOOD = {
    "revision": "2",
    "time": "2017-06-09T04:22:00+01:00",
    "election": "General Election 2017",
    "date": "2017-06-08",
    "number": "380",
    "name": "Milton Keynes South",
    "electorate": "92740",
    "winner": "C",
    "gain": "hold",
    "first": "Iain",
    "votes": "30652",
    "share": "47.5",
    "change": "+0.7",
}
FIELDS = list(GOOD)
GOOD_BYTES = RESULT.format(**{k: quoteattr(v) for k, v in GOOD.items()}).encode()


def read_or_refuse(data: bytes, file: str = FILE) -> PAMessage | PAFileError:
    try:
        return parse_message(data, file=file)
    except PAFileError as error:
        return error


def test_the_unharmed_file_reads():
    assert isinstance(read_or_refuse(GOOD_BYTES), PAMessage)


@BOUNDED
@given(st.binary(max_size=3000))
def test_junk_bytes_are_read_or_refused(data):
    assert isinstance(read_or_refuse(data), PAMessage | PAFileError)


@BOUNDED
@given(st.lists(st.tuples(st.integers(0, len(GOOD_BYTES) - 1), st.binary(max_size=3)), max_size=8))
def test_a_damaged_file_is_read_or_refused(edits):
    data = bytearray(GOOD_BYTES)
    for at, replacement in edits:
        data[at : at + 1] = replacement
    assert isinstance(read_or_refuse(bytes(data)), PAMessage | PAFileError)


# Hostile values: any text, or text shaped like the numbers, dates and signs PA sends.
VALUE = st.one_of(
    st.text(max_size=40).filter(lambda s: "\x00" not in s),
    st.from_regex(r"\A[-+]?[0-9]{0,30}(\.[0-9]{0,5})?([eE][-+]?[0-9]{1,6})?\Z"),
    st.sampled_from(["NaN", "sNaN", "Infinity", "-0", "1e999999", "2017-13-40T99:99", "+"]),
)


@BOUNDED
@given(st.dictionaries(st.sampled_from(FIELDS), VALUE, min_size=1))
def test_hostile_values_are_read_or_refused(values):
    # XML cannot carry most control characters; the parser refuses those as malformed.
    fields = {**GOOD, **values}
    data = RESULT.format(**{k: quoteattr(v) for k, v in fields.items()}).encode(
        "utf-8", "surrogatepass"
    )
    assert isinstance(read_or_refuse(data), PAMessage | PAFileError)


@BOUNDED
@given(st.text(max_size=120))
def test_any_file_name_is_read_or_refused(name):
    try:
        parsed = parse_file_name(name)
    except PAFileError as error:
        assert error.code == "file_name"
    else:
        assert isinstance(parsed, PAFileName)
    assert isinstance(read_or_refuse(GOOD_BYTES, file=name), PAMessage | PAFileError)
