"""What the public results pages show, for the pages themselves and for their partner
embeds (results.embed_views)."""

from typing import Any

from django.http import Http404

from results import charts, hexmap, selectors
from results.models import ConstituencyResult, Election


def get_election_or_404(slug: str) -> Election:
    try:
        return selectors.get_election(slug)
    except Election.DoesNotExist as exc:
        raise Http404("No such election") from exc


def scoreboard_context(election: Election) -> dict[str, Any]:
    return {
        "election": election,
        "board": selectors.get_scoreboard(election),
        "constituencies": selectors.list_constituencies(election),
        # Results desk (issue 11): the hex cartogram of every seat (None without a layout).
        "hex_map": hexmap.get_hex_map_or_none(election),
    }


def constituency_context(election: Election, constituency: str) -> dict[str, Any]:
    try:
        card = selectors.get_card_by_slug(election, constituency)
    except ConstituencyResult.DoesNotExist as exc:
        raise Http404("No result for that constituency") from exc
    return {
        "election": election,
        "card": card,
        "share_chart": charts.share_chart(card),
        "change_chart": charts.change_chart(card),
        "posts": selectors.list_posts_showing(card.result),
    }
