"""The hex cartogram of the 650 seats: layout, geometry and the map of an election.

The layout is Open Innovations' HexJSON (`data/constituencies-2010-2019.hexjson`, MIT): each
seat's ONS code with a column `q` and a row `r`, layout "odd-r" (pointy-topped hexagons,
odd rows shifted right by half a hexagon; rows count northwards, so SVG's y runs the other
way). It is read once per process (`default_layout()`); the geometry is computed then too.

`get_hex_map(election)` reads an election's seats in a constant number of queries and
returns a `HexMap` that `results/_hexmap.html` draws as an inline SVG, one link per seat,
plus a table alternative. No JavaScript.
"""

import json
import logging
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from results.figures import GAIN, HOLD, WIN, find_winner
from results.models import ConstituencyResult, Election, Party
from results.selectors import votes_by_result

logger = logging.getLogger(__name__)

LAYOUT_FILE = Path(settings.BASE_DIR) / "data" / "constituencies-2010-2019.hexjson"

# Centre-to-corner radius of a hexagon in SVG user units. The SVG scales to its container
# through its viewBox, so this only sets the precision of the coordinates.
RADIUS = 10.0
HEX_WIDTH = math.sqrt(3) * RADIUS  # pointy-topped: width across the flats
ROW_HEIGHT = 1.5 * RADIUS
# The gain marker: an inner outline this far inside the hexagon's edge.
INNER_RADIUS = 0.62 * RADIUS

UNDECLARED_FILL = "#f0efee"
UNDECLARED_TEXT = "awaiting result"
RECOUNT_TEXT = "recount"

REGION_NAMES = {
    "EA": "East of England",
    "EM": "East Midlands",
    "LO": "London",
    "NE": "North East",
    "NI": "Northern Ireland",
    "NW": "North West",
    "SC": "Scotland",
    "SE": "South East",
    "SW": "South West",
    "WA": "Wales",
    "WM": "West Midlands",
    "YH": "Yorkshire and the Humber",
}


def hexagon_points(cx: float, cy: float, radius: float) -> str:
    """The six corners of a pointy-topped hexagon as an SVG `points` attribute."""
    corners = []
    for i in range(6):
        angle = math.radians(60 * i - 90)
        corners.append(f"{cx + radius * math.cos(angle):.2f},{cy + radius * math.sin(angle):.2f}")
    return " ".join(corners)


@dataclass(frozen=True)
class HexCell:
    """One seat's place on the map; x and y are the centre in SVG units."""

    ons_id: str
    name: str
    region: str  # the HexJSON's region code, e.g. "SE"
    q: int
    r: int
    x: float
    y: float


@dataclass(frozen=True)
class HexLayout:
    cells: dict[str, HexCell]  # by ONS code
    width: float
    height: float

    @property
    def hexagon(self) -> str:
        """The hexagon around (0, 0), drawn once in <defs> and placed per seat with <use>."""
        return hexagon_points(0, 0, RADIUS)

    @property
    def inner_hexagon(self) -> str:
        return hexagon_points(0, 0, INNER_RADIUS)


def layout_from_hexjson(data: dict[str, object]) -> HexLayout:
    """Geometry of an odd-r HexJSON document. Raises ValueError for another layout."""
    if data.get("layout") != "odd-r":
        raise ValueError(f"Only the odd-r HexJSON layout is drawn, not {data.get('layout')!r}.")
    hexes = data.get("hexes")
    if not isinstance(hexes, dict) or not hexes:
        raise ValueError("The HexJSON has no hexes.")
    qs = [int(h["q"]) for h in hexes.values()]
    rs = [int(h["r"]) for h in hexes.values()]
    q_min, r_max, r_min = min(qs), max(rs), min(rs)
    cells = {}
    for ons_id, h in hexes.items():
        q, r = int(h["q"]), int(h["r"])
        # Odd rows (r & 1 also for negative r) sit half a hexagon to the right.
        x = (q - q_min) * HEX_WIDTH + HEX_WIDTH / 2 + (HEX_WIDTH / 2 if r & 1 else 0)
        y = (r_max - r) * ROW_HEIGHT + RADIUS
        cells[ons_id] = HexCell(
            ons_id=ons_id,
            name=str(h.get("n", ons_id)),
            region=str(h.get("a", "")),
            q=q,
            r=r,
            x=round(x, 2),
            y=round(y, 2),
        )
    width = (max(qs) - q_min + 1) * HEX_WIDTH + HEX_WIDTH / 2
    height = (r_max - r_min) * ROW_HEIGHT + 2 * RADIUS
    return HexLayout(cells=cells, width=round(width, 2), height=round(height, 2))


def load_layout(path: Path) -> HexLayout:
    with path.open(encoding="utf-8") as f:
        return layout_from_hexjson(json.load(f))


@cache
def default_layout() -> HexLayout:
    """The 2010-2019 layout, read from disk once per process (it never changes at run time)."""
    return load_layout(LAYOUT_FILE)


@dataclass(frozen=True)
class SeatState:
    """What the map shows of one seat: who won (None if undeclared) and how."""

    ons_id: str
    name: str
    slug: str
    region: str
    winner: Party | None
    outcome: str | None  # HOLD, GAIN or WIN; None if undeclared
    gained_from: Party | None
    recount: bool = False

    @property
    def is_declared(self) -> bool:
        return self.winner is not None

    @property
    def is_gain(self) -> bool:
        return self.outcome == GAIN

    @property
    def result_text(self) -> str:
        """“Conservative hold”, “Labour gain from Conservative”, “awaiting result”."""
        if self.recount:
            return RECOUNT_TEXT if self.winner is None else f"{self._won()}, recount"
        if self.winner is None:
            return UNDECLARED_TEXT
        return self._won()

    def _won(self) -> str:
        assert self.winner is not None
        if self.outcome == GAIN and self.gained_from is not None:
            return f"{self.winner.name} gain from {self.gained_from.name}"
        if self.outcome == HOLD:
            return f"{self.winner.name} hold"
        return f"{self.winner.name} win"

    @property
    def label(self) -> str:
        """The seat's accessible name: “Milton Keynes South: Conservative hold”."""
        return f"{self.name}: {self.result_text}"


@dataclass(frozen=True)
class MapHex:
    cell: HexCell
    seat: SeatState
    url: str

    @property
    def fill(self) -> str:
        if self.seat.recount and self.seat.winner is None:
            return UNDECLARED_FILL
        return self.seat.winner.colour if self.seat.winner is not None else UNDECLARED_FILL

    @property
    def region_name(self) -> str:
        return self.seat.region or REGION_NAMES.get(self.cell.region, "")

    @property
    def ring(self) -> str:
        """Colour of the gain marker: black or white, whichever reads on the fill."""
        return self.seat.winner.text_colour if self.seat.winner is not None else "#141414"


@dataclass(frozen=True)
class HexMap:
    election: Election
    layout: HexLayout
    hexes: list[MapHex]  # in layout order, north to south
    rows: list[MapHex]  # the table alternative, by seat name
    parties: list[Party]  # the key: parties holding a seat, most seats first
    declared: int
    gains: int
    recounts: int
    missing: list[str]  # results whose seat the layout does not have (ONS codes)


def build_hex_map(election: Election, seats: Iterable[SeatState], *, layout: HexLayout) -> HexMap:
    """Place `seats` on `layout`. Pure: no queries."""
    placed: list[MapHex] = []
    missing: list[str] = []
    counts: dict[int, int] = {}
    winners: dict[int, Party] = {}
    by_name = sorted(seats, key=lambda s: s.name)
    for seat in by_name:
        cell = layout.cells.get(seat.ons_id)
        if cell is None:
            missing.append(seat.ons_id)
            continue
        url = reverse(
            "results:constituency", kwargs={"election": election.slug, "constituency": seat.slug}
        )
        placed.append(MapHex(cell=cell, seat=seat, url=url))
        if seat.winner is not None:
            counts[seat.winner.pk] = counts.get(seat.winner.pk, 0) + 1
            winners[seat.winner.pk] = seat.winner
    key = sorted(winners.values(), key=lambda p: (-counts[p.pk], p.order, p.name))
    return HexMap(
        election=election,
        layout=layout,
        hexes=sorted(placed, key=lambda h: (h.cell.y, h.cell.x)),
        rows=placed,
        parties=key,
        declared=sum(1 for s in by_name if s.is_declared),
        gains=sum(1 for s in by_name if s.is_gain),
        recounts=sum(1 for s in by_name if s.recount),
        missing=missing,
    )


def get_hex_map(
    election: Election,
    *,
    recounts: Collection[str] = (),
    layout: HexLayout | None = None,
) -> HexMap:
    """The hex map of `election`, in three queries whatever the number of seats.

    `recounts` are the ONS codes of seats with a recount pending: results do not store a
    recount yet, so the caller (the PA feed, next) says which; they are marked on the map.
    """
    rows = list(
        ConstituencyResult.objects.filter(election=election).values_list(
            "id",
            "status",
            "previous_winner_id",
            "constituency__ons_id",
            "constituency__name",
            "constituency__slug",
            "constituency__region",
        )
    )
    votes = votes_by_result(election)
    parties = {p.pk: p for p in Party.objects.all()}
    recount_ids = set(recounts)

    seats = []
    for result_id, status, previous_id, ons_id, name, slug, region in rows:
        winner: Party | None = None
        outcome: str | None = None
        gained_from: Party | None = None
        if status != ConstituencyResult.Status.AWAITING:
            try:
                top = find_winner(votes.get(result_id, []))
            except ValidationError:
                top = None  # an unresolved tie is shown as not yet decided, not as an error
            if top is not None:
                winner = parties[top.party_id]
                if previous_id is None:
                    outcome = WIN
                elif previous_id == top.party_id:
                    outcome = HOLD
                else:
                    outcome, gained_from = GAIN, parties.get(previous_id)
        seats.append(
            SeatState(
                ons_id=ons_id,
                name=name,
                slug=slug,
                region=region,
                winner=winner,
                outcome=outcome,
                gained_from=gained_from,
                recount=ons_id in recount_ids,
            )
        )
    return build_hex_map(election, seats, layout=layout or default_layout())


def get_hex_map_or_none(election: Election) -> HexMap | None:
    """`get_hex_map`, or None (logged) when the layout file cannot be read: the page then
    goes without its map instead of failing."""
    try:
        layout = default_layout()
    except (OSError, ValueError, KeyError, TypeError):
        logger.exception("The hex map layout %s cannot be read", LAYOUT_FILE)
        return None
    return get_hex_map(election, layout=layout)
