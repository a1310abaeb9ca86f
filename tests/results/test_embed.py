"""Partner embeds of the results pages (results.embed_views): without the site's chrome,
framed by the sites in EMBED_ORIGINS only, and known to the oEmbed answer."""

import json

import pytest

pytestmark = pytest.mark.django_db

PARTNER = "https://news.example"


def ancestors(response) -> list[str]:
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        if name == "frame-ancestors":
            return values
    raise AssertionError("no frame-ancestors")


@pytest.fixture
def partners(settings):
    settings.EMBED_ORIGINS = [PARTNER]


def test_the_scoreboard_embed_is_framed_by_the_sites_partners(client, small_election, partners):
    response = client.get("/embed/results/ge2017/")

    assert response.status_code == 200
    assert ancestors(response) == ["'self'", PARTNER]
    assert "X-Frame-Options" not in response
    body = response.content.decode()
    assert "Seats by party" in body
    assert f'data-embed-parents="{PARTNER}"' in body
    assert "site-header" not in body
    assert "liveblog/js/embed.js" in body


def test_the_constituency_embed_shows_the_card(client, small_election, partners):
    response = client.get("/embed/results/ge2017/milton-keynes-south/")

    assert response.status_code == 200
    assert ancestors(response) == ["'self'", PARTNER]
    assert "Iain Stewart" in response.content.decode()


def test_the_results_pages_themselves_stay_framed_by_ourselves(client, small_election, partners):
    for path in ("/results/ge2017/", "/results/ge2017/milton-keynes-south/"):
        response = client.get(path)
        assert ancestors(response) == ["'self'"]
        assert response["X-Frame-Options"] == "DENY"
        assert "site-header" in response.content.decode()


@pytest.mark.parametrize("path", ["/embed/results/nope/", "/embed/results/ge2017/nowhere/"])
def test_unknown_results_embeds_are_404(client, small_election, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("url", "embed", "title"),
    [
        ("/results/ge2017/", "/embed/results/ge2017/", "General election 2017: UK results"),
        (
            "/results/ge2017/milton-keynes-south/",
            "/embed/results/ge2017/milton-keynes-south/",
            "Milton Keynes South: General election 2017",
        ),
        ("/embed/results/ge2017/", "/embed/results/ge2017/", "General election 2017: UK results"),
    ],
)
def test_oembed_knows_the_results_pages(client, small_election, url, embed, title):
    response = client.get("/oembed", {"url": f"http://testserver{url}"})

    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["title"] == title
    assert data["html"].startswith(f'<iframe src="http://testserver{embed}"')


@pytest.mark.parametrize("url", ["/results/ge2015/", "/results/ge2017/nowhere/"])
def test_oembed_is_404_for_results_that_do_not_exist(client, small_election, url):
    assert client.get("/oembed", {"url": f"http://testserver{url}"}).status_code == 404


@pytest.mark.parametrize("path", ["/embed/results/ge2017/", "/embed/results/ge2017/buckingham/"])
def test_a_304_of_a_results_embed_keeps_the_partners(client, small_election, partners, path):
    etag = client.get(path)["ETag"]

    response = client.get(path, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert ancestors(response) == ["'self'", PARTNER]
    assert "X-Frame-Options" not in response
