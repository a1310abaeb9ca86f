"""Business actions on results: the only code that writes results.

The admin, the importers (results.importers), the PA feed (results.ingest) and the API
enter results here. `lifecycle` holds a result's life (enter_result and the steps behind it,
revisions, the posts that show a result updated), `cards` the result cards in posts, `posts`
the posts results put in live blogs (the breaking announcement, pins).
"""

from results.services.cards import (
    attach_result_card,
    attach_scoreboard_card,
    detach_result_card,
    update_result_card,
)
from results.services.lifecycle import (
    MSG_ALREADY_DECLARED,
    MSG_CANNOT_DECLARE,
    MSG_CANNOT_POST,
    MSG_DUPLICATE_CANDIDATE,
    MSG_DUPLICATE_RESULT,
    MSG_NEGATIVE,
    MSG_NO_CANDIDATES,
    MSG_NO_VOTES,
    MSG_NOT_DECLARED,
    MSG_RUSH_DECLARED,
    MSG_RUSH_NOT_STANDING,
    PERM_DECLARE,
    SHARE_PLACES,
    CandidateEntry,
    Entered,
    EnteredResult,
    call_recount,
    correct_result,
    create_result,
    declare_result,
    enter_result,
    flash_rush,
    record_post_updates_for_results,
    set_awaiting_figures,
)
from results.services.posts import (
    MSG_AWAITING_HEADLINE,
    MSG_SCOREBOARD_HEADLINE,
    announce_result,
    announcement_headline,
    pin_result_to_blog,
)

__all__ = [
    "MSG_ALREADY_DECLARED",
    "MSG_AWAITING_HEADLINE",
    "MSG_CANNOT_DECLARE",
    "MSG_CANNOT_POST",
    "MSG_DUPLICATE_CANDIDATE",
    "MSG_DUPLICATE_RESULT",
    "MSG_NEGATIVE",
    "MSG_NOT_DECLARED",
    "MSG_NO_CANDIDATES",
    "MSG_NO_VOTES",
    "MSG_RUSH_DECLARED",
    "MSG_RUSH_NOT_STANDING",
    "MSG_SCOREBOARD_HEADLINE",
    "PERM_DECLARE",
    "SHARE_PLACES",
    "CandidateEntry",
    "Entered",
    "EnteredResult",
    "announce_result",
    "announcement_headline",
    "attach_result_card",
    "attach_scoreboard_card",
    "call_recount",
    "correct_result",
    "create_result",
    "declare_result",
    "detach_result_card",
    "enter_result",
    "flash_rush",
    "pin_result_to_blog",
    "record_post_updates_for_results",
    "set_awaiting_figures",
    "update_result_card",
]
