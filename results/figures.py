"""Derived figures of a result: share, change, majority, turnout, winner, HOLD / GAIN.

Pure functions over stored facts, so the card, the page, the API and the scoreboard can
never disagree. Nothing here queries the database: pass results loaded `.for_card()`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

from django.core.exceptions import ValidationError

from results.models import ConstituencyResult, Party

MSG_TIE = (
    "{names} tie for first place on {votes:,} votes: tick “won the tie-break” for the "
    "candidate drawn by lot."
)
MSG_TWO_TIE_BREAKS = "Only one candidate can win the tie-break."
MSG_TIE_BREAK_WITHOUT_TIE = "“Won the tie-break” is only for a tie for first place."

HOLD = "HOLD"
GAIN = "GAIN"
WIN = "WIN"


class VoteLike(Protocol):
    # Read-only, so that named tuples and frozen dataclasses qualify as well as models.
    @property
    def name(self) -> str: ...
    @property
    def votes(self) -> int: ...
    @property
    def won_tie_break(self) -> bool: ...


V = TypeVar("V", bound=VoteLike)


def find_winner(candidates: Sequence[V]) -> V | None:
    """The candidate with most votes, or the tie-break winner on a tie for first place.

    None if nobody has a vote yet. Raises ValidationError(code="tie") for a tie without a
    recorded tie-break.
    """
    if not candidates:
        return None
    top = max(c.votes for c in candidates)
    if top == 0:
        return None
    leaders = [c for c in candidates if c.votes == top]
    drawn = [c for c in candidates if c.won_tie_break]
    if len(drawn) > 1:
        raise ValidationError(MSG_TWO_TIE_BREAKS, code="tie")
    if len(leaders) == 1:
        if drawn and drawn[0] is not leaders[0]:
            raise ValidationError(MSG_TIE_BREAK_WITHOUT_TIE, code="tie")
        return leaders[0]
    if drawn and drawn[0] in leaders:
        return drawn[0]
    names = " and ".join(c.name for c in leaders)
    raise ValidationError(MSG_TIE.format(names=names, votes=top), code="tie")


@dataclass(frozen=True)
class CandidateFigures:
    name: str
    party: Party
    votes: int
    share: float  # 0-1
    change: float | None  # share points since the previous election, 0-1; None if new
    sitting_mp: bool
    elected: bool

    @property
    def share_percent(self) -> float:
        return round(self.share * 100, 1)

    @property
    def change_percent(self) -> float | None:
        return None if self.change is None else round(self.change * 100, 1)


@dataclass(frozen=True)
class ResultFigures:
    result: ConstituencyResult
    candidates: list[CandidateFigures]  # most votes first
    valid_votes: int
    winner: CandidateFigures | None
    majority: int | None
    turnout: float | None  # valid votes / electorate, 0-1
    outcome: str | None  # HOLD, GAIN or WIN (no previous winner known); None if awaiting
    gained_from: Party | None

    @property
    def is_declared(self) -> bool:
        return self.result.status != ConstituencyResult.Status.AWAITING

    @property
    def turnout_percent(self) -> float | None:
        return None if self.turnout is None else round(self.turnout * 100, 1)

    @property
    def headline(self) -> str:
        """“CON HOLD”, “LAB GAIN FROM CON”, or “Awaiting result”."""
        if self.winner is None or self.outcome is None:
            return "Awaiting result"
        text = f"{self.winner.party.code} {self.outcome}"
        if self.gained_from is not None:
            text += f" FROM {self.gained_from.code}"
        return text


def result_figures(result: ConstituencyResult) -> ResultFigures:
    """Every derived figure of `result` (loaded with `.for_card()`)."""
    rows = sorted(result.candidacies.all(), key=lambda c: (-c.votes, c.name))
    valid = sum(c.votes for c in rows)
    declared = result.status != ConstituencyResult.Status.AWAITING
    winner_row = find_winner(rows) if declared else None
    candidates = []
    winner = None
    for c in rows:
        share = c.votes / valid if valid else 0.0
        change = None
        if c.previous_share is not None:
            change = share - float(c.previous_share)
        figures = CandidateFigures(
            name=c.name,
            party=c.party,
            votes=c.votes,
            share=share,
            change=change,
            sitting_mp=c.sitting_mp,
            elected=c is winner_row,
        )
        if c is winner_row:
            winner = figures
        candidates.append(figures)

    majority = None
    if winner is not None:
        others = [c.votes for c in candidates if c is not winner]
        majority = winner.votes - (max(others) if others else 0)
    turnout = valid / result.electorate if result.electorate and declared else None

    outcome, gained_from = None, None
    if winner is not None:
        previous = result.previous_winner
        if previous is None:
            outcome = WIN
        elif previous.pk == winner.party.pk:
            outcome = HOLD
        else:
            outcome, gained_from = GAIN, previous
    return ResultFigures(
        result=result,
        candidates=candidates,
        valid_votes=valid,
        winner=winner,
        majority=majority,
        turnout=turnout,
        outcome=outcome,
        gained_from=gained_from,
    )


def previous_share(share: Decimal | None, change: Decimal | None) -> Decimal | None:
    """The previous share implied by a file's share and change columns."""
    if share is None or change is None:
        return None
    return share - change
