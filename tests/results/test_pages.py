"""Results pages, the read API and cards in live blog posts (issue 5), on the 2017 files."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liveblog import services as liveblog_services
from liveblog.live.events import render_post_fragment
from liveblog.models import Post
from results.colours import contrast_ratio
from results.models import ConstituencyResult, Party, PostResultCard
from results.parties import ensure_known_parties

from .conftest import MK_SOUTH

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_scoreboard_page_shows_the_seed_table(client, election_2017):
    response = client.get("/results/ge2017/")

    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "Seats 318 262 35 12 10 13" in text
    assert "Change −13 +30 −21 +4 +2 −2" in text
    assert "After 650 of 650 seats" in text


def test_scoreboard_page_runs_the_same_queries_for_650_seats(
    client, election_2017, django_assert_num_queries
):
    # election, results, candidacies, parties, constituency list; the hex map (issue 11):
    # its results, candidacies, parties
    with django_assert_num_queries(8):
        response = client.get("/results/ge2017/")

    assert response.status_code == 200


def test_constituency_page_shows_card_and_both_charts(client, election_2017):
    response = client.get("/results/ge2017/milton-keynes-south/")

    html = response.content.decode()
    text = _text(html)
    assert "CON HOLD" in text
    assert "Iain Stewart elected 30,652 47.5 +0.7" in text
    assert "CON majority 1,665" in text and "Turnout 69.8%" in text
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 2
    assert "<script" not in html
    assert "Conservative 47.5%" in _text(svgs[0])
    assert _text(svgs[1]).startswith("Labour +12.8; Conservative +0.7")


def test_constituency_page_lists_the_posts_that_show_the_result(
    client, election_2017, editor, blog
):
    result = ConstituencyResult.objects.get(constituency__ons_id=MK_SOUTH)
    post = liveblog_services.create_post(
        blog=blog, by=editor, headline="Milton Keynes South: Conservative hold"
    )
    PostResultCard.objects.create(post=post, result=result)

    html = client.get("/results/ge2017/milton-keynes-south/").content.decode()

    assert f'href="{blog.get_absolute_url()}#post-{post.pk}"' in html


def test_unknown_constituency_is_not_found(client, election_2017):
    assert client.get("/results/ge2017/atlantis/").status_code == 404
    assert client.get("/results/ge1066/").status_code == 404


def test_scoreboard_api_has_the_issue_shape(client, election_2017):
    data = client.get("/api/v1/elections/ge2017/scoreboard/").json()

    assert data["declared"] == 650 and data["total"] == 650
    assert data["parties"][0] == {
        "code": "CON",
        "name": "Conservative",
        "seats": 318,
        "change": -13,
    }
    assert {p["code"]: (p["seats"], p["change"]) for p in data["parties"]} == {
        "CON": (318, -13),
        "LAB": (262, 30),
        "SNP": (35, -21),
        "LD": (12, 4),
        "DUP": (10, 2),
        "SF": (7, 3),
        "PC": (4, 1),
        "GRN": (1, 0),
        "IND": (1, 0),
    }
    assert data["others"] == {"seats": 13, "change": -2}


def test_constituency_api_returns_the_card(client, election_2017):
    data = client.get(f"/api/v1/elections/ge2017/constituencies/{MK_SOUTH}/").json()

    assert (data["headline"], data["majority"], data["turnout"]) == ("CON HOLD", 1665, 69.8)
    assert data["winner"]["name"] == "Iain Stewart"
    assert [
        (c["party"]["code"], c["votes"], c["share"], c["change"]) for c in data["candidates"]
    ] == [
        ("CON", 30652, 47.5, 0.7),
        ("LAB", 28987, 44.9, 12.8),
        ("LD", 1895, 2.9, -1.0),
        ("UKIP", 1833, 2.8, -10.4),
        ("GRN", 1179, 1.8, -1.5),
    ]


def test_constituency_api_unknown_id_is_404(client, election_2017):
    assert client.get("/api/v1/elections/ge2017/constituencies/X1/").status_code == 404


def test_card_renders_inside_the_post_fragment(election_2017, editor, blog):
    result = ConstituencyResult.objects.get(constituency__ons_id=MK_SOUTH)
    post = liveblog_services.create_post(blog=blog, by=editor, headline="MK South")
    PostResultCard.objects.create(post=post, result=result)

    html = render_post_fragment(Post.objects.with_bylines().get(pk=post.pk))

    text = _text(html)
    assert "Milton Keynes South CON HOLD" in text
    assert "Hannah O'Neill 28,987 44.9 +12.8" in text.replace("&#x27;", "'")
    assert "CON majority 1,665 Turnout 69.8%" in text


def test_reader_page_query_count_does_not_grow_with_cards(client, election_2017, editor, blog):
    def page_queries(n_cards: int) -> int:
        for result in ConstituencyResult.objects.order_by("id")[:n_cards]:
            post = liveblog_services.create_post(blog=blog, by=editor, headline=str(result))
            PostResultCard.objects.create(post=post, result=result)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(blog.get_absolute_url())
        assert response.content.decode().count("data-result-id=") == min(
            Post.objects.filter(blog=blog).count(), 20
        )
        return len(ctx.captured_queries)

    one = page_queries(1)
    many = page_queries(15)

    assert many == one


def test_badge_text_on_every_known_party_colour_reads_at_aa(db):
    ensure_known_parties()
    for party in Party.objects.all():
        assert contrast_ratio(party.colour, party.text_colour) >= 4.5, party.code
