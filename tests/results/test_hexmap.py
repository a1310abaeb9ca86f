"""The hex map of the 650 seats (issue 11): layout, colours, gains, recounts, queries."""

from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string

from results.hexmap import (
    HEX_WIDTH,
    UNDECLARED_FILL,
    default_layout,
    get_hex_map,
    layout_from_hexjson,
)
from results.models import ConstituencyResult, Party
from tests.results.conftest import CONSTITUENCIES_2017, MK_SOUTH, read_rows

pytestmark = pytest.mark.django_db

CANTERBURY = "E14000619"  # Lab gain from Con in 2017


class SvgLinks(HTMLParser):
    """The links of the map's SVG: their attributes, and the <use> elements inside each."""

    def __init__(self) -> None:
        super().__init__()
        self.in_svg = False
        self.links: list[dict[str, str]] = []
        self.uses: dict[str, list[dict[str, str]]] = {}
        self._current: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "svg":
            self.in_svg = True
        elif self.in_svg and tag == "a":
            self.links.append(a)
            self._current = a["data-seat"]
            self.uses[self._current] = []
        elif self.in_svg and tag == "use" and self._current:
            self.uses[self._current].append(a)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_svg = False
        elif tag == "a":
            self._current = None


def parse_map(html: str) -> SvgLinks:
    parser = SvgLinks()
    parser.feed(html)
    return parser


def render_map(election, **kwargs) -> SvgLinks:
    html = render_to_string("results/_hexmap.html", {"map": get_hex_map(election, **kwargs)})
    return parse_map(html)


def by_seat(links: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {link["data-seat"]: link for link in links}


def test_every_2017_seat_has_its_own_hexagon():
    _, rows = read_rows(CONSTITUENCIES_2017)
    layout = default_layout()

    assert {r[0] for r in rows} <= set(layout.cells)
    assert len({(c.x, c.y) for c in layout.cells.values()}) == 650


def test_odd_rows_sit_half_a_hexagon_right_and_rows_count_northwards():
    layout = layout_from_hexjson(
        {
            "layout": "odd-r",
            "hexes": {
                "A": {"n": "A", "q": 0, "r": 0},
                "B": {"n": "B", "q": 0, "r": 1},
                "C": {"n": "C", "q": 0, "r": -1},
            },
        }
    )
    a, b, c = (layout.cells[k] for k in "ABC")

    assert b.x - a.x == pytest.approx(HEX_WIDTH / 2, abs=0.01)
    assert c.x == pytest.approx(b.x)
    assert b.y < a.y < c.y  # north (higher r) is drawn higher up


def test_another_hexjson_layout_is_refused():
    with pytest.raises(ValueError, match="odd-r"):
        layout_from_hexjson({"layout": "even-q", "hexes": {"A": {"q": 0, "r": 0}}})


def test_the_2017_map_has_650_links_each_named_by_seat_and_result(election_2017):
    links = render_map(election_2017).links

    assert len(links) == 650
    assert all(link["href"].startswith("/results/ge2017/") for link in links)
    assert all(": " in link["aria-label"] for link in links)
    assert by_seat(links)[MK_SOUTH]["aria-label"] == "Milton Keynes South: Conservative hold"
    assert by_seat(links)[MK_SOUTH]["href"] == "/results/ge2017/milton-keynes-south/"


def test_each_hexagon_is_filled_with_the_colour_of_its_winner_from_the_party_table(
    election_2017,
):
    Party.objects.filter(code="CON").update(colour="#123456")
    parsed = render_map(election_2017)
    fills = {seat: uses[0]["fill"] for seat, uses in parsed.uses.items()}
    colours = dict(Party.objects.values_list("name", "colour"))

    assert fills[MK_SOUTH] == "#123456"
    for link in parsed.links:
        result = link["aria-label"].split(": ", 1)[1]
        winner = result.removesuffix(" hold").removesuffix(" win").split(" gain from ")[0]
        assert fills[link["data-seat"]] == colours[winner]


def test_a_gain_is_marked_by_an_inner_outline_and_named_so(election_2017):
    parsed = render_map(election_2017)
    gains = [link for link in parsed.links if "hexmap__seat--gain" in link["class"]]

    assert len(gains) == 70  # "gain from" rows of the Library's constituency file
    assert len(parsed.uses[CANTERBURY]) == 2
    assert parsed.uses[CANTERBURY][1]["class"] == "hexmap__gain"
    assert (
        by_seat(parsed.links)[CANTERBURY]["aria-label"]
        == "Canterbury: Labour gain from Conservative"
    )
    assert len(parsed.uses[MK_SOUTH]) == 1


def test_a_recount_is_hatched_and_named_so(election_2017):
    parsed = render_map(election_2017, recounts={MK_SOUTH})

    assert parsed.uses[MK_SOUTH][-1]["fill"] == "url(#hexmap-hatch)"
    assert "hexmap__seat--recount" in by_seat(parsed.links)[MK_SOUTH]["class"]
    assert (
        by_seat(parsed.links)[MK_SOUTH]["aria-label"]
        == "Milton Keynes South: Conservative hold, recount"
    )


def test_an_undeclared_seat_is_neutral_and_named_awaiting(election_2017):
    ConstituencyResult.objects.filter(constituency__ons_id=MK_SOUTH).update(
        status=ConstituencyResult.Status.AWAITING, declared_at=None
    )
    parsed = render_map(election_2017)

    assert parsed.uses[MK_SOUTH][0]["fill"] == UNDECLARED_FILL
    assert by_seat(parsed.links)[MK_SOUTH]["aria-label"] == "Milton Keynes South: awaiting result"


def test_the_table_alternative_lists_every_seat_with_its_result(election_2017):
    html = render_to_string("results/_hexmap.html", {"map": get_hex_map(election_2017)})
    table = html.split('id="hexmap-table"', 1)[1]

    assert table.count("<tr data-seat=") == 650
    assert ">Canterbury</a></th>" in table
    assert "Labour gain from Conservative" in table


def test_the_map_scales_to_a_phone_through_its_viewbox(election_2017):
    html = render_to_string("results/_hexmap.html", {"map": get_hex_map(election_2017)})

    assert 'viewBox="0 0 ' in html
    assert 'width="100%"' in html


def test_the_map_reads_in_three_queries_whatever_the_number_of_seats(
    election_2017, django_assert_num_queries
):
    with django_assert_num_queries(3):
        full = get_hex_map(election_2017)
    ConstituencyResult.objects.exclude(constituency__ons_id=MK_SOUTH).delete()
    with django_assert_num_queries(3):
        one = get_hex_map(election_2017)

    assert (len(full.hexes), len(one.hexes)) == (650, 1)


def test_the_scoreboard_page_shows_the_map_and_credits_open_innovations(client, election_2017):
    html = client.get("/results/ge2017/").content.decode()

    assert len(parse_map(html).links) == 650
    assert "Open Innovations" in html


def test_the_scoreboard_page_goes_without_the_map_when_the_layout_cannot_be_read(
    client, election_2017, monkeypatch, tmp_path
):
    monkeypatch.setattr("results.hexmap.LAYOUT_FILE", tmp_path / "missing.hexjson")
    default_layout.cache_clear()
    try:
        response = client.get("/results/ge2017/")
    finally:
        default_layout.cache_clear()

    assert response.status_code == 200
    assert "After 650 of 650 seats" in response.content.decode()
    assert 'class="hexmap"' not in response.content.decode()
