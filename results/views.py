"""Public results pages: the national scoreboard and one page per constituency.

Cached by the election's results version (results.caching): a reader whose copy is current
gets a 304 after the query that reads the election (and, for a constituency, its token).
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from liveblog.pages.caching import is_signed_in
from results import caching, charts, hexmap, selectors
from results.models import ConstituencyResult, Election


def _election(slug: str) -> Election:
    try:
        return selectors.get_election(slug)
    except Election.DoesNotExist as exc:
        raise Http404("No such election") from exc


def scoreboard_page(request: HttpRequest, election: str) -> HttpResponseBase:
    return scoreboard_response(request, election)


def constituency_page(request: HttpRequest, election: str, constituency: str) -> HttpResponseBase:
    return constituency_response(request, election, constituency)


# Shared with the partner embeds (results.embed_views), which add `extra_context`.


def scoreboard_response(
    request: HttpRequest, election: str, *, extra_context: dict[str, Any] | None = None
) -> HttpResponseBase:
    the_election = _election(election)

    def build() -> HttpResponse:
        return render(
            request,
            "results/scoreboard.html",
            {
                "election": the_election,
                "board": selectors.get_scoreboard(the_election),
                "constituencies": selectors.list_constituencies(the_election),
                # Results desk (issue 11): the hex cartogram of every seat (None without a
                # layout).
                "hex_map": hexmap.get_hex_map_or_none(the_election),
                **(extra_context or {}),
            },
        )

    return caching.respond(
        request,
        caching.election_validators(the_election),
        build,
        signed_in=is_signed_in(request),
    )


def constituency_response(
    request: HttpRequest,
    election: str,
    constituency: str,
    *,
    extra_context: dict[str, Any] | None = None,
) -> HttpResponseBase:
    the_election = _election(election)
    try:
        token = selectors.get_constituency_token(the_election, constituency)
    except ConstituencyResult.DoesNotExist as exc:
        raise Http404("No result for that constituency") from exc

    def build() -> HttpResponse:
        card = selectors.get_card_by_slug(the_election, constituency)
        return render(
            request,
            "results/constituency.html",
            {
                "election": the_election,
                "card": card,
                "share_chart": charts.share_chart(card),
                "change_chart": charts.change_chart(card),
                "posts": selectors.list_posts_showing(card.result),
                **(extra_context or {}),
            },
        )

    return caching.respond(
        request,
        caching.constituency_validators(the_election, token),
        build,
        signed_in=is_signed_in(request),
    )
