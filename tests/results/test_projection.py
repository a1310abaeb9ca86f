"""The arithmetic of the night (issue 11): hand-checked small cases, then the 2017 files."""

import pytest

from results.projection import (
    Forecast,
    HouseKind,
    SeatFigures,
    distance_from_majority,
    forecast_seat,
    headline_tally,
    house_state,
    load_seats,
    majority_line,
    progress,
    project_house,
    seat_tally,
    vote_shares,
    working_majorities,
    working_majority,
)


def declared(seat, winner, previous, votes, previous_shares=None):
    return SeatFigures(
        seat=seat,
        name=seat,
        declared=True,
        winner=winner,
        previous_winner=previous,
        votes=votes,
        previous_shares=previous_shares or {},
    )


def undeclared(seat, previous, previous_shares):
    return SeatFigures(
        seat=seat,
        name=seat,
        declared=False,
        winner=None,
        previous_winner=previous,
        previous_shares=previous_shares,
    )


# Five seats, by hand. A and B have declared; CON is up 5 points in each:
#   A: CON 55 LAB 45 (before .50/.50, CON held)   B: CON 45 LAB 55 (before .40/.60, LAB held)
#   so far CON 100/200 = .50 against .45 before: +.05; LAB .50 against .55: -.05.
# Projected by that swing:
#   C: LAB .52 CON .48 before -> CON .53 LAB .47: CON gain, margin .06
#   D: LAB .555 CON .445      -> LAB .505 CON .495: margin .01, too close (LAB ahead)
#   E: LAB .70 CON .30        -> LAB .65 CON .35: LAB hold, margin .30
FIVE = [
    declared("A", "CON", "CON", {"CON": 55, "LAB": 45}, {"CON": 0.50, "LAB": 0.50}),
    declared("B", "LAB", "LAB", {"CON": 45, "LAB": 55}, {"CON": 0.40, "LAB": 0.60}),
    undeclared("C", "LAB", {"CON": 0.48, "LAB": 0.52}),
    undeclared("D", "LAB", {"CON": 0.445, "LAB": 0.555}),
    undeclared("E", "LAB", {"CON": 0.30, "LAB": 0.70}),
]


def test_majority_line_is_326_of_650():
    assert majority_line(650) == 326
    assert majority_line(5) == 3


def test_progress_counts_seats_declared_and_to_declare():
    result = progress(FIVE)

    assert (result.declared, result.to_declare, result.total) == (2, 3, 5)


def test_vote_share_and_change_so_far_are_over_the_declared_seats():
    rows = {r.party: r for r in vote_shares(FIVE)}

    assert rows["CON"].votes == 100
    assert rows["CON"].share == pytest.approx(0.50)
    assert rows["CON"].change == pytest.approx(0.05)
    assert rows["LAB"].change == pytest.approx(-0.05)


def test_a_party_new_everywhere_has_no_change():
    seats = [declared("A", "CON", "CON", {"CON": 60, "GRN": 40}, {"CON": 0.6})]

    assert {r.party: r.change for r in vote_shares(seats)}["GRN"] is None


def test_uniform_swing_labels_a_gain_a_hold_and_a_seat_too_close_to_call():
    projection = project_house(FIVE)
    forecasts = {f.seat: f for f in projection.forecasts}

    assert (forecasts["C"].party, forecasts["C"].forecast) == ("CON", Forecast.GAIN)
    assert forecasts["C"].margin == pytest.approx(0.06)
    assert (forecasts["D"].party, forecasts["D"].forecast) == ("LAB", Forecast.TOO_CLOSE)
    assert forecasts["D"].margin == pytest.approx(0.01)
    assert (forecasts["E"].party, forecasts["E"].forecast) == ("LAB", Forecast.HOLD)


def test_the_projected_house_adds_the_forecasts_to_the_declared_seats():
    # declared CON 1 (A), LAB 1 (B); forecast CON C, LAB D and E
    assert project_house(FIVE).seats == {"LAB": 3, "CON": 2}


def test_a_seat_without_previous_shares_is_forecast_for_its_previous_winner():
    seat = undeclared("F", "SNP", {})

    assert forecast_seat(seat, swing={}).forecast == Forecast.HOLD
    assert forecast_seat(seat, swing={}).party == "SNP"


def test_distance_from_the_majority_line_and_change():
    tally = seat_tally([*FIVE[:2], declared("C", "CON", "LAB", {"CON": 1})])

    assert distance_from_majority(tally, line=3) == {"CON": 1, "LAB": 2}
    assert tally["CON"].change == 1
    assert tally["LAB"].change == -1


def test_the_house_is_undecided_while_a_party_can_still_reach_the_line():
    tally = seat_tally(FIVE)

    assert house_state(tally, to_declare=3, line=3).kind == HouseKind.UNDECIDED


def test_the_house_is_hung_once_no_party_can_reach_the_line_before_every_seat_declares():
    seats = [
        declared(name, party, party, {party: 1})
        for name, party in zip("ABCDEF", ["CON", "CON", "LAB", "LAB", "LD", "LD"], strict=True)
    ]
    # seven seats, line 4: everyone has 2 and one seat is left
    assert house_state(seat_tally(seats), to_declare=1, line=majority_line(7)).kind == (
        HouseKind.HUNG
    )


def test_a_party_at_the_line_has_a_majority():
    seats = [declared(n, "CON", "CON", {"CON": 1}) for n in "ABC"]

    state = house_state(seat_tally(seats), to_declare=2, line=3)

    assert (state.kind, state.party) == (HouseKind.MAJORITY, "CON")


def test_working_majority_discounts_the_speaker_and_abstentionists():
    assert working_majority(317, total=650, speaker_seats=1, abstentionist_seats=7) == -8
    # 4 seats of 7, no Speaker: 4 - 3 = 1; with one abstentionist among the others: 4 - 2 = 2
    assert working_majority(4, total=7, speaker_seats=0) == 1
    assert working_majority(4, total=7, speaker_seats=0, abstentionist_seats=1) == 2


def test_working_majorities_count_the_speaker_apart_even_when_broadcasters_do_not():
    seats = [declared(n, "CON", "CON", {"CON": 1}) for n in "ABCD"] + [
        declared("S", "SPK", "SPK", {"SPK": 1}),
        declared("T", "SF", "SF", {"SF": 1}),
        declared("U", "LAB", "LAB", {"LAB": 1}),
    ]
    # 7 seats, 5 vote: CON 4 - 1 = 3
    assert working_majorities(seats, total=7)["CON"] == 3


# The 2017 files -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_2017_tally_is_the_official_table(election_2017):
    seats = load_seats(election_2017)
    table = headline_tally(
        seat_tally(seats, speaker_counts_for="CON"), ["CON", "LAB", "SNP", "LD", "DUP"]
    )

    assert [(t.party, t.seats, t.change) for t in table.parties] == [
        ("CON", 318, -13),
        ("LAB", 262, 30),
        ("SNP", 35, -21),
        ("LD", 12, 4),
        ("DUP", 10, 2),
    ]
    assert (table.others.seats, table.others.change) == (13, -2)


@pytest.mark.django_db
def test_2017_was_a_hung_parliament_eight_short_of_a_working_majority(election_2017):
    seats = load_seats(election_2017)
    tally = seat_tally(seats, speaker_counts_for="CON")

    assert house_state(tally, to_declare=0, line=majority_line(650)).kind == HouseKind.HUNG
    assert distance_from_majority(tally, line=326)["CON"] == 8
    assert working_majorities(seats, total=650)["CON"] == -8


@pytest.mark.django_db
def test_2017_national_share_is_the_official_one(election_2017):
    shares = {r.party: r for r in vote_shares(load_seats(election_2017))}

    # 13,636,684 and 12,877,918 of 32,204,124 valid votes
    assert round(shares["CON"].share * 100, 1) == 42.3
    assert round(shares["LAB"].share * 100, 1) == 40.0


@pytest.mark.django_db
def test_2017_seats_load_in_three_queries(election_2017, django_assert_num_queries):
    with django_assert_num_queries(3):
        seats = load_seats(election_2017)

    assert len(seats) == 650


@pytest.mark.django_db
def test_projecting_2017_with_every_seat_declared_is_the_declared_house(election_2017):
    projection = project_house(load_seats(election_2017), speaker_counts_for="CON")

    assert projection.forecasts == []
    assert projection.seats["CON"] == 318
    assert sum(projection.seats.values()) == 650


@pytest.mark.django_db
def test_projecting_2017_from_its_first_half_forecasts_every_other_seat(election_2017):
    seats = sorted(load_seats(election_2017), key=lambda s: s.seat)
    half = [
        s
        if i % 2
        else SeatFigures(s.seat, s.name, False, None, s.previous_winner, {}, s.previous_shares)
        for i, s in enumerate(seats)
    ]

    projection = project_house(half, speaker_counts_for="CON")

    assert projection.declared == 325
    assert len(projection.forecasts) == 325
    assert {f.forecast for f in projection.forecasts} == set(Forecast)
    assert sum(projection.seats.values()) == 650
    assert projection.swing["LAB"] > 0 > projection.swing["UKIP"]
