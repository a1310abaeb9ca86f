from django import template

from results.figures import ResultFigures, result_figures
from results.models import ConstituencyResult, PostResultCard
from results.selectors import Scoreboard, get_scoreboard

register = template.Library()

MINUS = "\u2212"


@register.filter
def figures(result: ConstituencyResult) -> ResultFigures:
    """Derived figures of a result loaded with its candidacies (no queries of its own)."""
    return result_figures(result)


@register.filter
def card_scoreboard(card: PostResultCard) -> Scoreboard:
    """The scoreboard a card shows: as post_cards_prefetch() attached it (no queries), else
    read now (a card fetched some other way)."""
    board = card.__dict__.get("scoreboard")
    return board if board is not None else get_scoreboard(card.election)


@register.filter
def thousands(value: int | None) -> str:
    """1665 → “1,665”."""
    if value is None:
        return ""
    return f"{value:,}"


@register.filter
def signed(value: float | int | None, places: int = 1) -> str:
    """+0.7, or -1.0 with a true minus sign (U+2212); 0 without a sign; blank for None."""
    if value is None:
        return ""
    text = f"{abs(value):,.{places}f}" if isinstance(value, float) else f"{abs(value):,}"
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"{MINUS}{text}"
    return text


@register.filter
def percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
