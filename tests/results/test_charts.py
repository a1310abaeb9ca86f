"""results.charts: the geometry of the constituency page's two bar charts, from figures."""

from results import charts
from results.figures import CandidateFigures, ResultFigures
from results.models import ConstituencyResult, Party

CON = Party(name="Conservative", code="CON", colour="#0087DC")
LAB = Party(name="Labour", code="LAB", colour="#E4003B")
GRN = Party(name="Green Party", code="GRN", colour="#6AB023")


def _candidate(name: str, party: Party, share: float, change: float | None) -> CandidateFigures:
    return CandidateFigures(
        name=name,
        party=party,
        votes=int(share * 1000),
        share=share,
        change=change,
        sitting_mp=False,
        elected=False,
    )


def _figures(*candidates: CandidateFigures) -> ResultFigures:
    return ResultFigures(
        result=ConstituencyResult(),
        candidates=list(candidates),
        valid_votes=sum(c.votes for c in candidates),
        winner=None,
        majority=None,
        turnout=None,
        outcome=None,
        gained_from=None,
    )


SEAT = _figures(
    _candidate("A", CON, 0.5, 0.1),
    _candidate("B", LAB, 0.25, -0.05),
    _candidate("C", GRN, 0.25, None),
)


def test_share_bars_are_scaled_to_the_largest_share_rounded_up_to_ten_percent():
    chart = charts.share_chart(SEAT)

    # 50% fills the 386 units between the labels and the room for the value.
    assert [(b.label, b.width, b.value_text) for b in chart.bars] == [
        ("Conservative", 386.0, "50.0%"),
        ("Labour", 193.0, "25.0%"),
        ("Green Party", 193.0, "25.0%"),
    ]
    first = chart.bars[0]
    assert (first.x, first.y, first.label_y, first.text_x, first.text_anchor) == (
        190,
        7.0,
        18.0,
        582.0,
        "start",
    )
    assert (chart.width, chart.height, chart.axis_x) == (640, 108, None)


def test_shares_below_ten_percent_are_drawn_on_a_scale_to_ten_percent():
    chart = charts.share_chart(_figures(_candidate("A", CON, 0.05, None)))

    assert chart.bars[0].width == 193.0  # half of the 386 units


def test_change_bars_go_right_for_a_rise_and_left_for_a_fall_of_a_centred_axis():
    chart = charts.change_chart(SEAT)

    up, down = chart.bars
    assert chart.axis_x == 415.0
    assert (up.label, up.value_text, up.x, up.width, up.text_x, up.text_anchor) == (
        "Conservative",
        "+10.0",
        415.0,
        161.0,
        582.0,
        "start",
    )
    # Half the largest change, left of the axis, with a true minus sign.
    assert (down.label, down.value_text, down.x, down.width, down.text_x, down.text_anchor) == (
        "Labour",
        "\u22125.0",
        334.5,
        80.5,
        328.5,
        "end",
    )


def test_change_leaves_out_parties_that_did_not_stand_before_and_puts_the_largest_rise_first():
    seat = _figures(
        _candidate("B", LAB, 0.25, -0.05),
        _candidate("C", GRN, 0.25, None),
        _candidate("A", CON, 0.5, 0.1),
    )

    chart = charts.change_chart(seat)

    assert [b.label for b in chart.bars] == ["Conservative", "Labour"]
    assert chart.height == 72


def test_no_change_is_shown_without_a_sign():
    chart = charts.change_chart(_figures(_candidate("A", CON, 0.5, 0.0)))

    assert (chart.bars[0].value_text, chart.bars[0].width) == ("0.0", 0.0)


def test_a_result_without_candidates_draws_no_bars_at_one_row_high():
    for chart in (charts.share_chart(_figures()), charts.change_chart(_figures())):
        assert (chart.bars, chart.height) == ([], 36)
