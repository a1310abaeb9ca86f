"""Geometry for the inline SVG charts on the constituency page (no JavaScript needed).

Bars are filled with the party colour and outlined in ink, so every bar stands out from the
white page (WCAG non-text contrast) whatever the party colour; labels are ink on white.
"""

import math
from dataclasses import dataclass

from results.figures import ResultFigures
from results.models import Party

WIDTH = 640
ROW = 36
BAR = 22
LABEL_WIDTH = 190  # left column with party names
VALUE_ROOM = 64  # right of a bar, for its value


@dataclass(frozen=True)
class Bar:
    party: Party
    label: str
    value_text: str
    x: float
    y: float
    width: float
    text_x: float
    text_anchor: str
    label_y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    axis_x: float | None = None


def _percent(value: float, *, signed: bool = False) -> str:
    text = f"{abs(value):.1f}"
    if not signed:
        return text + "%"
    return ("+" if value > 0 else "\u2212" if value < 0 else "") + text


def share_chart(card: ResultFigures) -> Chart:
    """One bar per candidate, scaled to the largest share (rounded up to 10%)."""
    rows = card.candidates
    top = max((c.share_percent for c in rows), default=0) or 1
    scale_max = min(100, math.ceil(top / 10) * 10)
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    bars = []
    for i, c in enumerate(rows):
        width = room * c.share_percent / scale_max
        y = i * ROW + (ROW - BAR) / 2
        bars.append(
            Bar(
                party=c.party,
                label=c.party.name,
                value_text=_percent(c.share_percent),
                x=LABEL_WIDTH,
                y=y,
                width=round(width, 1),
                text_x=round(LABEL_WIDTH + width + 6, 1),
                text_anchor="start",
                label_y=y + BAR / 2,
            )
        )
    return Chart(width=WIDTH, height=max(ROW, ROW * len(rows)), bars=bars)


def change_chart(card: ResultFigures) -> Chart:
    """Change in share since the previous election, bars left (down) or right (up) of an
    axis; largest rise first. Candidates of parties that did not stand before are left out."""
    rows = sorted(
        (c for c in card.candidates if c.change_percent is not None),
        key=lambda c: -(c.change_percent or 0),
    )
    span = max((abs(c.change_percent or 0) for c in rows), default=0) or 1
    half = (WIDTH - LABEL_WIDTH - 2 * VALUE_ROOM) / 2
    axis = LABEL_WIDTH + VALUE_ROOM + half
    bars = []
    for i, c in enumerate(rows):
        change = c.change_percent or 0
        width = half * abs(change) / span
        y = i * ROW + (ROW - BAR) / 2
        up = change >= 0
        bars.append(
            Bar(
                party=c.party,
                label=c.party.name,
                value_text=_percent(change, signed=True),
                x=round(axis if up else axis - width, 1),
                y=y,
                width=round(width, 1),
                text_x=round(axis + width + 6 if up else axis - width - 6, 1),
                text_anchor="start" if up else "end",
                label_y=y + BAR / 2,
            )
        )
    return Chart(width=WIDTH, height=max(ROW, ROW * len(rows)), bars=bars, axis_x=round(axis, 1))
