"""The House of Commons Library's CSV layouts, told apart by their header."""

from collections.abc import Sequence
from dataclasses import dataclass

MAX_ERRORS_SHOWN = 25


class ResultsImportError(Exception):
    """The files cannot be imported; `errors` says where and why, one line each."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        text = "\n".join(shown) + (f"\n… and {more} more errors" if more > 0 else "")
        super().__init__(f"Nothing was imported.\n{text}")


@dataclass(frozen=True)
class Layout:
    name: str
    kind: str  # "candidates" or "constituencies"
    columns: dict[str, str]  # our field -> the file's column
    optional: frozenset[str] = frozenset()

    def missing(self, header: Sequence[str]) -> list[str]:
        present = set(header)
        return [
            column
            for key, column in self.columns.items()
            if key not in self.optional and column not in present
        ]


CANDIDATES_TITLE = Layout(
    "candidates (Title Case, as 2017)",
    "candidates",
    {
        "ons_id": "ONS ID",
        "constituency": "Constituency name",
        "region": "Region name",
        "country": "Country name",
        "party_name": "Party name",
        "party_code": "Party abbreviation",
        "first_name": "Candidate first name",
        "surname": "Candidate surname",
        "sitting_mp": "Sitting MP",
        "votes": "Votes",
        "share": "Share",
        "change": "Change",
    },
    frozenset({"region", "country", "share", "change"}),
)
CANDIDATES_SNAKE = Layout(
    "candidates (snake_case)",
    "candidates",
    {
        "ons_id": "ons_id",
        "constituency": "constituency_name",
        "region": "region_name",
        "country": "country_name",
        "party_name": "party_name",
        "party_code": "party_abbreviation",
        "first_name": "firstname",
        "surname": "surname",
        "sitting_mp": "sitting_mp",
        "votes": "votes",
        "share": "share",
        "change": "change",
    },
    frozenset({"region", "country", "share", "change"}),
)
CONSTITUENCIES = Layout(
    "constituencies",
    "constituencies",
    {
        "ons_id": "id",
        "constituency": "constituency_name",
        "region": "region_name",
        "country": "country_name",
        "declared_at": "declaration_time",
        "result": "result",
        "electorate": "electorate",
        "valid_votes": "valid_votes",
        "invalid_votes": "invalid_votes",
        "majority": "majority",
    },
    frozenset({"region", "country", "declared_at", "majority", "valid_votes"}),
)
LAYOUTS = (CANDIDATES_TITLE, CANDIDATES_SNAKE, CONSTITUENCIES)


def detect_layout(path: str, header: Sequence[str]) -> Layout:
    """The layout whose columns the header has; else an error naming what is missing."""
    cleaned = [h.strip() for h in header]
    for layout in LAYOUTS:
        if not layout.missing(cleaned):
            return layout
    closest = min(LAYOUTS, key=lambda layout: len(layout.missing(cleaned)))
    others = "; ".join(
        f"as {layout.name}: {', '.join(layout.missing(cleaned))}"
        for layout in LAYOUTS
        if layout is not closest
    )
    raise ResultsImportError(
        [
            f"{path}, line 1: the header is not a House of Commons Library results layout. "
            f"Closest is {closest.name}, which is missing the columns "
            f"{', '.join(closest.missing(cleaned))} (missing {others})."
        ]
    )
