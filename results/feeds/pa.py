"""Reading PA Media's election XML files into typed messages (parsing only, no writing).

A file is read whole (at most `MAX_FILE_BYTES`) and parsed with defusedxml's SAX reader:
no DTD, no entity declarations (XML bombs), no external entities. The reader is tolerant as
PA-XML.md asks: unknown attributes and child elements are ignored. What the desk cannot use
is refused, always with one exception type, `PAFileError`, carrying the file name, the line
where the XML gives one, a reason for people and a `code` for programs:

  too_large, malformed, dtd, entities, file_name, test_account, unknown_message,
  kind_mismatch, revision_mismatch, missing, not_a_number, negative_votes,
  winner_not_top, bad_text, too_deep, unreadable

File names are `{Election}_{kind}_{Constituency}_{Revision}.xml` (kind nominations, rush,
result or recount) and `{Election}_SOP_{N}.xml`; the test account's carry `Test_`.
Text values go through the site's text rule (`liveblog.text.clean_text`) and have their
runs of white space collapsed.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.sax import SAXException, SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import Locator

import defusedxml.sax
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from django.core.exceptions import ValidationError

from liveblog.text import clean_text

MAX_FILE_BYTES = 1024 * 1024  # a seat's result is a few kilobytes
MAX_DEPTH = 12  # PA's messages nest five deep

NOMINATIONS = "nominations"
RUSH = "rush"
RESULT = "result"
RECOUNT = "recount"
SOP = "SOP"

ROOTS = {
    NOMINATIONS: "FirstPastThePostNominations",
    RUSH: "FirstPastThePostRush",
    RESULT: "FirstPastThePostResult",
    RECOUNT: "Recount",
    SOP: "SOP",
}
KIND_OF_ROOT = {root: kind for kind, root in ROOTS.items()}

# The House of Commons Library's party codes (our Party.code) and PA's abbreviations.
PA_ABBREVIATIONS = {
    "CON": "C",
    "LAB": "Lab",
    "LD": "LD",
    "SNP": "SNP",
    "PC": "PC",
    "GRN": "Green",
    "UKIP": "UKIP",
    "DUP": "DUP",
    "SF": "SF",
    "SDLP": "SDLP",
    "UUP": "UUP",
    "ALL": "Alliance",
    "SPK": "Speaker",
    "IND": "Ind",
}
HOC_CODES = {pa: code for code, pa in PA_ABBREVIATIONS.items()}

_SEAT_FILE = re.compile(
    r"^(?P<election>.+?)_(?P<kind>nominations|rush|result|recount)_(?P<seat>.+)_(?P<revision>\d{1,9})\.xml$"
)
_SOP_FILE = re.compile(r"^(?P<election>.+?)_SOP_(?P<revision>\d{1,9})\.xml$")
_UNSIGNED = re.compile(r"^\d{1,12}$")
_NEGATIVE = re.compile(r"^-\d{1,12}$")


class PAFileError(Exception):
    """A PA file the desk refuses: which file, where, why (`code` for programs)."""

    def __init__(self, reason: str, *, file: str, code: str, line: int | None = None) -> None:
        self.reason = reason
        self.file = file
        self.code = code
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.reason}"


# Messages ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PAParty:
    name: str
    abbreviation: str
    votes: int | None
    share: Decimal | None  # percent, e.g. 47.5
    share_change: Decimal | None  # percentage points, signed; None when not given


@dataclass(frozen=True, kw_only=True)
class PACandidate:
    first_name: str
    surname: str
    party: PAParty
    line: int

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.surname}".strip()


@dataclass(frozen=True, kw_only=True)
class PAConstituency:
    number: int  # PA's seat number, not the ONS code
    name: str
    electorate: int | None
    turnout: int | None  # ballots counted, valid and rejected
    majority: int | None
    winning_party: str | None  # PA abbreviation
    sitting_party: str | None
    gain_or_hold: str | None  # "gain" or "hold"
    candidates: tuple[PACandidate, ...]
    line: int

    @property
    def valid_votes(self) -> int:
        return sum(c.party.votes or 0 for c in self.candidates)


@dataclass(frozen=True, kw_only=True)
class PAMessage:
    file: str
    kind: str
    revision: int
    election_name: str
    election_date: date | None
    is_test: bool


@dataclass(frozen=True, kw_only=True)
class PASeatMessage(PAMessage):
    constituency: PAConstituency


@dataclass(frozen=True, kw_only=True)
class PANominations(PASeatMessage):
    previous: PAConstituency | None  # the seat at the previous election, when sent


@dataclass(frozen=True, kw_only=True)
class PARush(PASeatMessage):
    winning_party_abbreviation: str
    winning_party_name: str
    sitting_party_abbreviation: str | None
    sitting_party_name: str | None
    gain_or_hold: str
    message_text: str


@dataclass(frozen=True, kw_only=True)
class PAResult(PASeatMessage):
    declaration_time: datetime
    previous: PAConstituency | None


@dataclass(frozen=True, kw_only=True)
class PARecount(PASeatMessage):
    pass


@dataclass(frozen=True, kw_only=True)
class PASopParty:
    name: str
    abbreviation: str
    seats: int
    gains: int | None
    losses: int | None
    share: Decimal | None
    forecast_seats: int | None


@dataclass(frozen=True, kw_only=True)
class PAStateOfParties(PAMessage):
    parties: tuple[PASopParty, ...]


@dataclass(frozen=True)
class PAFileName:
    election: str
    kind: str
    seat: str | None  # PA's spelling, underscores for spaces; None for SOP
    revision: int
    is_test: bool


def parse_file_name(name: str) -> PAFileName:
    """Raises PAFileError(code="file_name") for a name PA would not send."""
    m = _SEAT_FILE.match(name)
    if m:
        seat: str | None = m["seat"]
        kind = m["kind"]
    else:
        m = _SOP_FILE.match(name)
        if not m:
            raise PAFileError(
                "The file name is not {Election}_{kind}_{Constituency}_{Revision}.xml or "
                "{Election}_SOP_{N}.xml.",
                file=name,
                code="file_name",
            )
        seat, kind = None, SOP
    election = m["election"]
    is_test = "Test_" in f"{election}_" or election.startswith("Test")
    return PAFileName(election, kind, seat, int(m["revision"]), is_test)


# The XML, as a small tree with line numbers ---------------------------------------------------


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list["_Node"] = field(default_factory=list)

    def find_all(self, tag: str) -> list["_Node"]:
        return [c for c in self.children if c.tag == tag]


class _TreeBuilder(ContentHandler):
    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file
        self.stack: list[_Node] = []
        self.root: _Node | None = None
        self._locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self._locator = locator

    def _line(self) -> int:
        return (self._locator.getLineNumber() or 0) if self._locator is not None else 0

    def startElement(self, name: str, attrs: Any) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise PAFileError(
                f"Elements nest deeper than {MAX_DEPTH} levels.",
                file=self.file,
                code="too_deep",
                line=self._line(),
            )
        node = _Node(name, {k: attrs[k] for k in attrs.getNames()}, self._line())
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def endElement(self, name: str) -> None:
        self.stack.pop()


def _parse_tree(data: bytes, *, file: str) -> _Node:
    builder = _TreeBuilder(file)
    try:
        defusedxml.sax.parseString(
            data, builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except PAFileError:
        raise
    except DTDForbidden as exc:
        raise PAFileError(
            "The file declares a DTD; PA's files do not, and it could hide an XML bomb.",
            file=file,
            code="dtd",
            line=builder._line() or None,
        ) from exc
    except (EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise PAFileError(
            "The file declares entities or refers to external ones (an XML bomb or an "
            "external entity); it is not read.",
            file=file,
            code="entities",
            line=builder._line() or None,
        ) from exc
    except SAXParseException as exc:
        raise PAFileError(
            f"The file is not well-formed XML: {exc.getMessage()}.",
            file=file,
            code="malformed",
            line=exc.getLineNumber() or None,
        ) from exc
    except (SAXException, ValueError, LookupError) as exc:  # LookupError: unknown encoding
        raise PAFileError(
            f"The file cannot be read as XML: {exc}.", file=file, code="malformed"
        ) from exc
    if builder.root is None:
        raise PAFileError("The file has no root element.", file=file, code="malformed")
    return builder.root


# Values -------------------------------------------------------------------------------------


class _Reader:
    """Attribute readers that raise PAFileError naming the file, line and attribute."""

    def __init__(self, file: str) -> None:
        self.file = file

    def error(self, reason: str, node: _Node, code: str) -> PAFileError:
        return PAFileError(reason, file=self.file, code=code, line=node.line or None)

    def text(self, node: _Node, attr: str, *, required: bool = True) -> str:
        raw = node.attrs.get(attr)
        if raw is None or not raw.strip():
            if required:
                raise self.error(f"<{node.tag}> has no {attr}.", node, "missing")
            return ""
        try:
            return " ".join(clean_text(raw).split())
        except ValidationError as exc:
            raise self.error(f"<{node.tag}> {attr}: {exc.messages[0]}", node, "bad_text") from exc

    def optional_text(self, node: _Node, attr: str) -> str | None:
        return self.text(node, attr, required=False) or None

    def count(self, node: _Node, attr: str, *, required: bool = False) -> int | None:
        raw = node.attrs.get(attr)
        if raw is None or not raw.strip():
            if required:
                raise self.error(f"<{node.tag}> has no {attr}.", node, "missing")
            return None
        value = raw.strip()
        if _NEGATIVE.match(value):
            code = "negative_votes" if attr == "votes" else "not_a_number"
            raise self.error(f"<{node.tag}> {attr} is negative ({value}).", node, code)
        if not _UNSIGNED.match(value):
            raise self.error(
                f"<{node.tag}> {attr} is not a whole number ({value[:40]!r}).",
                node,
                "not_a_number",
            )
        return int(value)

    def decimal(self, node: _Node, attr: str) -> Decimal | None:
        raw = node.attrs.get(attr)
        if raw is None or not raw.strip():
            return None
        try:
            value = Decimal(raw.strip())
        except InvalidOperation as exc:
            raise self.error(
                f"<{node.tag}> {attr} is not a number ({raw[:40]!r}).", node, "not_a_number"
            ) from exc
        if not value.is_finite() or abs(value) > 1000:
            raise self.error(
                f"<{node.tag}> {attr} is out of range ({raw[:40]!r}).", node, "not_a_number"
            )
        return value

    def one(self, node: _Node, tag: str) -> _Node:
        found = node.find_all(tag)
        if len(found) != 1:
            what = "no" if not found else f"{len(found)}"
            raise self.error(f"<{node.tag}> has {what} <{tag}>; one is needed.", node, "missing")
        return found[0]


def _party(r: _Reader, node: _Node) -> PAParty:
    return PAParty(
        name=r.text(node, "name", required=False),
        abbreviation=r.text(node, "abbreviation"),
        votes=r.count(node, "votes"),
        share=r.decimal(node, "percentageShare"),
        share_change=r.decimal(node, "percentageShareChange"),
    )


def _constituency(r: _Reader, node: _Node, *, named_candidates: bool = True) -> PAConstituency:
    number = r.count(node, "number", required=True)
    assert number is not None
    candidates = []
    for c in node.find_all("Candidate"):
        candidates.append(
            PACandidate(
                first_name=r.text(c, "firstName", required=False),
                surname=r.text(c, "surname", required=named_candidates),
                party=_party(r, r.one(c, "Party")),
                line=c.line,
            )
        )
    gain_or_hold = r.optional_text(node, "gainOrHold")
    return PAConstituency(
        number=number,
        name=r.text(node, "name"),
        electorate=r.count(node, "electorate"),
        turnout=r.count(node, "turnout"),
        majority=r.count(node, "majority"),
        winning_party=r.optional_text(node, "winningParty"),
        sitting_party=r.optional_text(node, "sittingParty"),
        gain_or_hold=gain_or_hold.lower() if gain_or_hold else None,
        candidates=tuple(candidates),
        line=node.line,
    )


def _previous(r: _Reader, root: _Node) -> PAConstituency | None:
    found = root.find_all("PreviousElection")
    if not found:
        return None
    return _constituency(r, r.one(found[0], "Constituency"), named_candidates=False)


def _gain_or_hold(r: _Reader, node: _Node, value: str | None) -> str:
    if value not in ("gain", "hold"):
        raise r.error(
            f"<{node.tag}> gainOrHold must be hold or gain, not {value!r}.", node, "missing"
        )
    return value


def _check_result(r: _Reader, seat: PAConstituency, node: _Node) -> None:
    if not seat.candidates:
        raise r.error("The result has no candidates.", node, "missing")
    for c in seat.candidates:
        if c.party.votes is None:
            raise r.error(f"{c.name} has no votes.", node, "missing")
    top = max(c.party.votes or 0 for c in seat.candidates)
    leaders = {c.party.abbreviation for c in seat.candidates if c.party.votes == top}
    if seat.winning_party is None:
        raise r.error("<Constituency> has no winningParty.", node, "missing")
    if seat.winning_party not in leaders:
        raise r.error(
            f"The winner is given as {seat.winning_party}, but the most votes "
            f"({top:,}) went to {', '.join(sorted(leaders))}.",
            node,
            "winner_not_top",
        )


def _declaration_time(r: _Reader, root: _Node) -> datetime:
    raw = r.text(root, "declarationTime")
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise r.error(
            f"declarationTime is not an ISO 8601 time ({raw[:40]!r}).", root, "not_a_number"
        ) from exc
    if value.tzinfo is None:
        raise r.error(f"declarationTime has no UTC offset ({raw[:40]!r}).", root, "not_a_number")
    return value


def _seat_message(r: _Reader, root: _Node, common: dict[str, Any]) -> PAMessage:
    election = r.one(root, "Election")
    constituencies = election.find_all("Constituency")
    if len(constituencies) != 1:
        raise r.error(
            f"The file has {len(constituencies)} constituencies; PA sends one per file.",
            election,
            "missing",
        )
    node = constituencies[0]
    kind = common["kind"]
    seat = _constituency(r, node)
    if kind == NOMINATIONS:
        return PANominations(**common, constituency=seat, previous=_previous(r, root))
    if kind == RECOUNT:
        return PARecount(**common, constituency=seat)
    if kind == RUSH:
        return PARush(
            **common,
            constituency=seat,
            winning_party_abbreviation=r.text(node, "winningPartyAbbreviation"),
            winning_party_name=r.text(node, "winningPartyName", required=False),
            sitting_party_abbreviation=r.optional_text(node, "sittingPartyAbbreviation"),
            sitting_party_name=r.optional_text(node, "sittingPartyName"),
            gain_or_hold=_gain_or_hold(r, node, seat.gain_or_hold),
            message_text=r.text(node, "paStyleMessageText", required=False),
        )
    _check_result(r, seat, node)
    return PAResult(
        **common,
        constituency=seat,
        declaration_time=_declaration_time(r, root),
        previous=_previous(r, root),
    )


def _sop(r: _Reader, root: _Node, common: dict[str, Any]) -> PAStateOfParties:
    parties = []
    for node in root.find_all("Party"):
        seats = r.count(node, "seats", required=True)
        assert seats is not None
        parties.append(
            PASopParty(
                name=r.text(node, "name", required=False),
                abbreviation=r.text(node, "abbreviation"),
                seats=seats,
                gains=r.count(node, "gains"),
                losses=r.count(node, "losses"),
                share=r.decimal(node, "percentageShare"),
                forecast_seats=r.count(node, "forecastSeats"),
            )
        )
    return PAStateOfParties(**common, parties=tuple(parties))


def parse_message(data: bytes, *, file: str, allow_test: bool = False) -> PAMessage:
    """The message in `data`, read from a file named `file` (its name is checked too).

    A test-account file is refused unless `allow_test` (PA's rehearsals before the night).
    Raises PAFileError, and nothing else, for anything it cannot use.
    """
    name = parse_file_name(file)
    if name.is_test and not allow_test:
        raise PAFileError(
            "The file comes from PA's test account (Test_ in its name); test results are "
            "not applied while the election is live.",
            file=file,
            code="test_account",
        )
    if len(data) > MAX_FILE_BYTES:
        raise PAFileError(
            f"The file is larger than {MAX_FILE_BYTES // 1024} KB; a PA message is a few KB.",
            file=file,
            code="too_large",
        )
    root = _parse_tree(data, file=file)
    r = _Reader(file)
    kind = KIND_OF_ROOT.get(root.tag)
    if kind is None:
        raise r.error(
            f"<{root.tag}> is not a PA message the desk reads ({', '.join(sorted(KIND_OF_ROOT))}).",
            root,
            "unknown_message",
        )
    if kind != name.kind:
        raise r.error(
            f"The file is named as a {name.kind} file but holds <{root.tag}>.",
            root,
            "kind_mismatch",
        )
    revision = r.count(root, "revision", required=True)
    if revision != name.revision:
        raise r.error(
            f"The file is named as revision {name.revision} but says revision {revision}.",
            root,
            "revision_mismatch",
        )
    election = root if kind == SOP else r.one(root, "Election")
    try:
        polling_day = date.fromisoformat(election.attrs.get("date", "").strip())
    except ValueError:
        polling_day = None
    common: dict[str, Any] = {
        "file": file,
        "kind": kind,
        "revision": revision,
        "election_name": r.text(election, "name", required=kind != SOP),
        "election_date": polling_day,
        "is_test": name.is_test,
    }
    if kind == SOP:
        return _sop(r, root, common)
    return _seat_message(r, root, common)


def read_file(path: Path, *, allow_test: bool = False) -> PAMessage:
    """`parse_message` on a file on disk; an unreadable file is a PAFileError too."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise PAFileError(
            f"The file cannot be read: {exc.strerror}.", file=path.name, code="unreadable"
        ) from exc
    return parse_message(data, file=path.name, allow_test=allow_test)
