"""The arithmetic of the night: seats to declare, the majority line, a hung parliament, the
working majority, national vote share, and a projection of the whole House.

Everything but `load_seats` is pure: it takes `SeatFigures` (plain values, party codes as
strings) and returns plain values, so it can be checked by hand and never queries.

The projection (`project_house`), as the scoreboard page states it:
- Declared seats count for their winners.
- Each party's national change in share so far is measured over the declared seats: its
  share of the votes there now, minus its share there at the previous election. (The
  previous share of a seat is weighted by this election's valid votes there, since the
  previous turnout is not stored.)
- That change is added to each undeclared seat's previous share for every party that stood
  there before (uniform swing; a share never goes below zero). The party with the largest
  projected share is the seat's projected winner; the margin is its lead in share points
  over the next party.
- A seat whose margin is under `TOO_CLOSE_TO_CALL` (2 points) is "too close to call"
  (it still counts for its projected winner in the projected House); otherwise it is a
  "forecast hold" if the projected winner held it before, else a "forecast gain".
- An undeclared seat without previous shares is projected for its previous winner as a
  forecast hold, or left "too close to call" without a winner if that is unknown too.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError

from results.figures import find_winner
from results.models import Candidacy, ConstituencyResult, Election, Party

SPEAKER = "SPK"
ABSTENTIONISTS = ("SF",)  # Sinn Féin do not take their seats
TOO_CLOSE_TO_CALL = 0.02  # a projected lead under 2 share points


@dataclass(frozen=True)
class SeatFigures:
    """One seat as the arithmetic needs it. Votes only count when `declared`."""

    seat: str  # ONS code
    name: str
    declared: bool
    winner: str | None  # party code of the declared winner
    previous_winner: str | None
    votes: Mapping[str, int] = field(default_factory=dict)  # by party code, this election
    previous_shares: Mapping[str, float] = field(default_factory=dict)  # 0-1, by party code

    @property
    def valid_votes(self) -> int:
        return sum(self.votes.values())


@dataclass(frozen=True)
class Progress:
    declared: int
    to_declare: int
    total: int


def progress(seats: Sequence[SeatFigures]) -> Progress:
    declared = sum(1 for s in seats if s.declared and s.winner is not None)
    return Progress(declared=declared, to_declare=len(seats) - declared, total=len(seats))


def majority_line(total: int) -> int:
    """Seats needed for a majority of the House: 326 of 650."""
    return total // 2 + 1


@dataclass(frozen=True)
class PartyTally:
    party: str
    seats: int
    change: int  # against the same seats' previous winners


def seat_tally(
    seats: Iterable[SeatFigures], *, speaker_counts_for: str | None = None
) -> dict[str, PartyTally]:
    """Seats won and change by party over the declared seats, most seats first.

    The Speaker's seat counts for `speaker_counts_for` when given (broadcasters count John
    Bercow for the Conservatives), else for the Speaker.
    """

    def counted(code: str) -> str:
        return speaker_counts_for if code == SPEAKER and speaker_counts_for else code

    won: Counter[str] = Counter()
    before: Counter[str] = Counter()
    for s in seats:
        if not s.declared or s.winner is None:
            continue
        won[counted(s.winner)] += 1
        if s.previous_winner is not None:
            before[counted(s.previous_winner)] += 1
    parties = sorted(set(won) | set(before), key=lambda p: (-won[p], p))
    return {p: PartyTally(p, won[p], won[p] - before[p]) for p in parties}


@dataclass(frozen=True)
class HeadlineTally:
    parties: list[PartyTally]  # the headline parties, in the order given
    others: PartyTally  # everyone else, party "Others"


def headline_tally(tally: Mapping[str, PartyTally], headline: Sequence[str]) -> HeadlineTally:
    rows = [tally.get(code, PartyTally(code, 0, 0)) for code in headline]
    rest = [t for code, t in tally.items() if code not in headline]
    others = PartyTally("Others", sum(t.seats for t in rest), sum(t.change for t in rest))
    return HeadlineTally(parties=rows, others=others)


def distance_from_majority(tally: Mapping[str, PartyTally], *, line: int) -> dict[str, int]:
    """Seats each party still needs for a majority; 0 once it has one."""
    return {code: max(0, line - t.seats) for code, t in tally.items()}


class HouseKind(StrEnum):
    MAJORITY = "majority"  # a party has reached the line
    HUNG = "hung"  # no party can reach it any more
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class HouseState:
    kind: HouseKind
    party: str | None = None  # the party with a majority


def house_state(tally: Mapping[str, PartyTally], *, to_declare: int, line: int) -> HouseState:
    """A majority once a party reaches `line`; hung once no party can reach it even by
    winning every seat still to declare; else undecided."""
    for code, t in tally.items():
        if t.seats >= line:
            return HouseState(HouseKind.MAJORITY, code)
    best = max((t.seats for t in tally.values()), default=0)
    if best + to_declare < line:
        return HouseState(HouseKind.HUNG)
    return HouseState(HouseKind.UNDECIDED)


def working_majority(
    party_seats: int, *, total: int, speaker_seats: int = 1, abstentionist_seats: int = 0
) -> int:
    """The party's seats minus every other seat that votes: the Speaker does not vote and
    abstentionists do not sit. Negative means short of a working majority.

    2017: the Conservatives' 317 (without the Speaker) against 650 - 1 - 7 (Sinn Féin)
    = 642 voting seats: 317 - 325 = -8.
    """
    voting = total - speaker_seats - abstentionist_seats
    return party_seats - (voting - party_seats)


def working_majorities(
    seats: Iterable[SeatFigures],
    *,
    total: int,
    abstentionists: Sequence[str] = ABSTENTIONISTS,
) -> dict[str, int]:
    """`working_majority` of every party with a declared seat (the Speaker counted apart)."""
    raw = seat_tally(seats)  # the Speaker as himself
    speaker = raw[SPEAKER].seats if SPEAKER in raw else 0
    absent = sum(raw[code].seats for code in abstentionists if code in raw)
    return {
        code: working_majority(
            t.seats, total=total, speaker_seats=speaker, abstentionist_seats=absent
        )
        for code, t in raw.items()
        if code != SPEAKER
    }


@dataclass(frozen=True)
class ShareRow:
    party: str
    votes: int
    share: float  # 0-1 of the valid votes in the declared seats
    change: float | None  # against the same seats' previous share; None if new everywhere


def vote_shares(seats: Iterable[SeatFigures]) -> list[ShareRow]:
    """National share of the vote over the declared seats, with change, most votes first."""
    declared = [s for s in seats if s.declared and s.winner is not None]
    valid = sum(s.valid_votes for s in declared)
    if not valid:
        return []
    votes: Counter[str] = Counter()
    before: dict[str, float] = {}
    for s in declared:
        votes.update(s.votes)
        for code, share in s.previous_shares.items():
            before[code] = before.get(code, 0.0) + share * s.valid_votes
    rows = [
        ShareRow(
            party=code,
            votes=votes[code],
            share=votes[code] / valid,
            change=votes[code] / valid - before[code] / valid if code in before else None,
        )
        for code in set(votes) | set(before)
    ]
    rows.sort(key=lambda r: (-r.votes, r.party))
    return rows


class Forecast(StrEnum):
    GAIN = "forecast gain"
    HOLD = "forecast hold"
    TOO_CLOSE = "too close to call"


@dataclass(frozen=True)
class SeatForecast:
    seat: str
    name: str
    party: str | None  # the projected winner
    margin: float | None  # projected lead in share, 0-1
    forecast: Forecast


@dataclass(frozen=True)
class Projection:
    seats: dict[str, int]  # the whole House by party: declared winners plus forecasts
    forecasts: list[SeatForecast]  # the undeclared seats, by name
    swing: dict[str, float]  # each party's change in share so far, 0-1
    declared: int


def forecast_seat(
    seat: SeatFigures, *, swing: Mapping[str, float], too_close: float = TOO_CLOSE_TO_CALL
) -> SeatForecast:
    """One undeclared seat's previous shares moved by `swing` (module docstring)."""
    if not seat.previous_shares:
        if seat.previous_winner is None:
            return SeatForecast(seat.seat, seat.name, None, None, Forecast.TOO_CLOSE)
        return SeatForecast(seat.seat, seat.name, seat.previous_winner, None, Forecast.HOLD)
    projected = sorted(
        (
            (max(0.0, share + swing.get(code, 0.0)), code)
            for code, share in seat.previous_shares.items()
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    top_share, winner = projected[0]
    margin = top_share - (projected[1][0] if len(projected) > 1 else 0.0)
    if margin < too_close:
        forecast = Forecast.TOO_CLOSE
    elif winner == seat.previous_winner:
        forecast = Forecast.HOLD
    else:
        forecast = Forecast.GAIN
    return SeatForecast(seat.seat, seat.name, winner, round(margin, 6), forecast)


def project_house(
    seats: Sequence[SeatFigures],
    *,
    speaker_counts_for: str | None = None,
    too_close: float = TOO_CLOSE_TO_CALL,
) -> Projection:
    """The whole House: declared seats as declared, the others by uniform swing so far."""
    swing = {r.party: r.change for r in vote_shares(seats) if r.change is not None}
    house: Counter[str] = Counter()
    for code, t in seat_tally(seats, speaker_counts_for=speaker_counts_for).items():
        house[code] += t.seats
    forecasts = []
    for s in sorted(seats, key=lambda s: s.name):
        if s.declared and s.winner is not None:
            continue
        f = forecast_seat(s, swing=swing, too_close=too_close)
        forecasts.append(f)
        if f.party is not None:
            counted = speaker_counts_for if f.party == SPEAKER and speaker_counts_for else f.party
            house[counted] += 1
    return Projection(
        seats=dict(sorted(house.items(), key=lambda kv: (-kv[1], kv[0]))),
        forecasts=forecasts,
        swing=swing,
        declared=progress(seats).declared,
    )


# Loading (the only part that reads the database) -------------------------------------------


def load_seats(election: Election) -> list[SeatFigures]:
    """Every seat of `election` as SeatFigures, in three queries whatever the number."""
    codes = dict(Party.objects.values_list("id", "code"))
    rows = list(
        ConstituencyResult.objects.filter(election=election).values_list(
            "id", "status", "previous_winner_id", "constituency__ons_id", "constituency__name"
        )
    )
    by_result: dict[int, list[Candidacy]] = {}
    for c in Candidacy.objects.filter(result__election=election).only(
        "result_id", "name", "votes", "won_tie_break", "party_id", "previous_share"
    ):
        by_result.setdefault(c.result_id, []).append(c)
    seats = []
    for result_id, status, previous_id, ons_id, name in rows:
        candidates = by_result.get(result_id, [])
        declared = status != ConstituencyResult.Status.AWAITING
        winner = None
        if declared:
            try:
                top = find_winner(candidates)
            except ValidationError:
                top = None  # an unresolved tie: not counted until it is resolved
            winner = codes[top.party_id] if top is not None else None
        votes: Counter[str] = Counter()
        shares: dict[str, float] = {}
        for c in candidates:
            code = codes[c.party_id]
            votes[code] += c.votes
            if c.previous_share is not None:
                shares[code] = shares.get(code, 0.0) + float(c.previous_share)
        seats.append(
            SeatFigures(
                seat=ons_id,
                name=name,
                declared=declared,
                winner=winner,
                previous_winner=codes.get(previous_id) if previous_id else None,
                votes=dict(votes) if declared else {},
                previous_shares=shares,
            )
        )
    return seats
