"""HTTP caching of the results pages and API (results.caching): an ETag from the election's
results version, which every results action moves in its transaction, and a 304 answered
from the election's row alone, before anything is rendered."""

import pytest
from django.urls import reverse

from liveblog import services as liveblog_services
from results import services
from results.models import Election, Party

from .conftest import BUCKINGHAM, MK_SOUTH, entries_of

pytestmark = pytest.mark.django_db

SCOREBOARD = "/results/ge2017/"
MK_PAGE = "/results/ge2017/milton-keynes-south/"
SCOREBOARD_API = reverse("api:results-scoreboard", kwargs={"slug": "ge2017"})
MK_API = reverse("api:results-constituency", kwargs={"slug": "ge2017", "ons_id": MK_SOUTH})
URLS = [SCOREBOARD, MK_PAGE, SCOREBOARD_API, MK_API]
# Reading the election (with its previous election and Speaker party) is all a 304 needs;
# a constituency page also reads its result's token (the blogs of posts showing it).
QUERIES_FOR_A_304 = {SCOREBOARD: 1, MK_PAGE: 2, SCOREBOARD_API: 1, MK_API: 1}


def _etag(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response["ETag"]


@pytest.mark.parametrize("url", URLS)
def test_a_results_page_carries_an_etag_and_public_caching(client, small_election, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["ETag"].startswith(f'"results-{small_election.pk}-')
    assert response["Cache-Control"].startswith("public, max-age=")
    assert "Last-Modified" in response


@pytest.mark.parametrize("url", URLS)
def test_a_current_copy_gets_a_304_without_rendering(
    client, small_election, url, django_assert_num_queries
):
    etag = _etag(client, url)

    with django_assert_num_queries(QUERIES_FOR_A_304[url]):
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""


@pytest.mark.parametrize("url", URLS)
def test_a_correction_changes_every_results_etag(client, small_election, mk_south, editor, url):
    etag = _etag(client, url)

    services.enter_result(
        mk_south,
        by=editor,
        candidates=entries_of(mk_south, LAB=28927),
        electorate=92417,
        invalid_votes=122,
    )

    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_a_declaration_elsewhere_changes_the_scoreboards_etag(client, small_election, editor):
    buckingham = small_election.results.get(constituency__ons_id=BUCKINGHAM)
    etag = _etag(client, SCOREBOARD)

    services.enter_result(
        buckingham,
        by=editor,
        candidates=entries_of(buckingham, GRN=40000),
        electorate=buckingham.electorate,
        invalid_votes=buckingham.invalid_votes,
    )

    assert _etag(client, SCOREBOARD) != etag


def test_a_correction_that_changes_nothing_keeps_the_etag(client, small_election, mk_south, editor):
    etag = _etag(client, SCOREBOARD)

    services.enter_result(
        mk_south, by=editor, candidates=entries_of(mk_south), electorate=92417, invalid_votes=122
    )

    assert client.get(SCOREBOARD, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_refused_entry_keeps_the_etag(client, small_election, mk_south, reporter):
    etag = _etag(client, SCOREBOARD)

    with pytest.raises(services.PermissionDenied):
        services.enter_result(
            mk_south, by=reporter, candidates=entries_of(mk_south, LAB=1), electorate=92417
        )

    assert client.get(SCOREBOARD, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_counting_the_speaker_for_another_party_changes_the_etag(client, small_election):
    etag = _etag(client, SCOREBOARD)

    Election.objects.filter(pk=small_election.pk).update(
        speaker_party=Party.objects.get(code="LAB")
    )

    assert _etag(client, SCOREBOARD) != etag


def test_a_post_showing_the_result_changes_its_constituency_pages_etag(
    client, small_election, mk_south, editor, blog
):
    post = liveblog_services.create_post(blog=blog, by=editor, headline="Milton Keynes")
    page, other = _etag(client, MK_PAGE), _etag(client, SCOREBOARD)

    services.attach_result_card(post, mk_south, by=editor)

    assert _etag(client, MK_PAGE) != page
    assert "Milton Keynes" in client.get(MK_PAGE).content.decode()
    # The scoreboard shows no posts: its copy stays current.
    assert client.get(SCOREBOARD, HTTP_IF_NONE_MATCH=other).status_code == 304


def test_editing_a_post_that_shows_the_result_changes_its_constituency_pages_etag(
    client, small_election, mk_south, editor, blog
):
    post = liveblog_services.create_post(blog=blog, by=editor, headline="Milton Keynes")
    services.attach_result_card(post, mk_south, by=editor)
    etag = _etag(client, MK_PAGE)

    liveblog_services.update_post(
        post, by=editor, expected_version=None, headline="Milton Keynes South: CON hold"
    )

    assert _etag(client, MK_PAGE) != etag


def test_signed_in_users_get_a_private_copy_rendered_afresh(client, small_election, editor):
    etag = _etag(client, SCOREBOARD)
    client.force_login(editor)

    response = client.get(SCOREBOARD, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "ETag" not in response


def test_an_unknown_constituency_is_a_404_before_any_caching(client, small_election):
    response = client.get("/results/ge2017/nowhere/")

    assert response.status_code == 404
    assert "ETag" not in response
