"""What a post's result cards show, worked out in Python for results/_post_cards.html."""

from dataclasses import dataclass

from liveblog.models import Post
from results.figures import ResultFigures, result_figures
from results.selectors import Scoreboard


@dataclass(frozen=True)
class ShownCard:
    """One card of a post: a constituency's result, or an election's national scoreboard."""

    figures: ResultFigures | None = None
    scoreboard: Scoreboard | None = None
    # The scoreboard's id on the page: a page may show it in several posts.
    board_id: str = ""


def list_shown_cards(post: Post) -> list[ShownCard]:
    """The post's cards in their order. No queries of its own for a post loaded with its
    cards (liveblog's PostQuerySet.with_bylines prefetches them, scoreboards included)."""
    shown = []
    for card in post.result_cards.all():
        if card.is_scoreboard:
            shown.append(
                ShownCard(scoreboard=card.scoreboard, board_id=f"{post.anchor}-scoreboard")
            )
        else:
            # A card that is not a scoreboard has a result (MSG_CARD_KIND).
            shown.append(ShownCard(figures=result_figures(card.result)))  # type: ignore[arg-type]
    return shown
