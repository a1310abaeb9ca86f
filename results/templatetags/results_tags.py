from django import template

from liveblog.models import Post
from results.cards import ShownCard, list_shown_cards

register = template.Library()

MINUS = "\u2212"


@register.simple_tag
def shown_cards(post: Post) -> list[ShownCard]:
    """`{% shown_cards post as cards %}`: what the post's result cards show."""
    return list_shown_cards(post)


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
