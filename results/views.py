"""Public results pages: the national scoreboard and one page per constituency."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from results import charts, hexmap, selectors
from results.models import ConstituencyResult, Election


def _election(slug: str) -> Election:
    try:
        return selectors.get_election(slug)
    except Election.DoesNotExist as exc:
        raise Http404("No such election") from exc


def scoreboard_page(request: HttpRequest, election: str) -> HttpResponse:
    the_election = _election(election)
    board = selectors.get_scoreboard(the_election)
    return render(
        request,
        "results/scoreboard.html",
        {
            "election": the_election,
            "board": board,
            "constituencies": selectors.list_constituencies(the_election),
            # Results desk (issue 11): the hex cartogram of every seat (None without a layout).
            "hex_map": hexmap.get_hex_map_or_none(the_election),
        },
    )


def constituency_page(request: HttpRequest, election: str, constituency: str) -> HttpResponse:
    the_election = _election(election)
    try:
        card = selectors.get_card_by_slug(the_election, constituency)
    except ConstituencyResult.DoesNotExist as exc:
        raise Http404("No result for that constituency") from exc
    return render(
        request,
        "results/constituency.html",
        {
            "election": the_election,
            "card": card,
            "share_chart": charts.share_chart(card),
            "change_chart": charts.change_chart(card),
            "posts": selectors.list_posts_showing(card.result),
        },
    )
