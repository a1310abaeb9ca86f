"""The one allow-list for post bodies. Everything a reporter writes passes through here.

The text rule (liveblog.text) applies before and after the allow-list: before, so NUL is
refused and debris removed from what was typed; after, because character references such
as `&#11;` or `&#xFFFE;` decode to exactly the characters the rule removes.
"""

import html as html_lib

import nh3
from django.utils.html import strip_tags

from liveblog.text import clean_text, scrub_text

ALLOWED_TAGS = {"p", "a", "strong", "em", "ul", "ol", "li", "blockquote", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    # "*" are the attributes allowed on every tag: none. Left out, nh3 keeps its defaults
    # (lang and title on every tag), which the allow-list above does not name.
    attributes={**ALLOWED_ATTRIBUTES, "*": set()},
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener nofollow",
    # Drop the content of these entirely rather than keeping their text.
    clean_content_tags={"script", "style", "template", "iframe", "object", "noscript"},
    strip_comments=True,
)


_MAX_PASSES = 4


def _clean_once(html: str) -> str:
    return scrub_text(_cleaner.clean(html)).strip()


def clean_body(html: str) -> str:
    """Return `html` reduced to the body allow-list and the text rule; '' when nothing
    readable remains. Raises ValidationError if `html` contains NUL. Idempotent."""
    cleaned = _clean_once(clean_text(html or ""))
    # The parser can build a tree whose markup parses into another one (an <a> nested in an
    # <a> after a dropped <table>, found by tests/liveblog/test_sanitize_properties.py): clean
    # again until the output is stable, so what is stored reads back the same. Saves only.
    for _ in range(_MAX_PASSES):
        again = _clean_once(cleaned)
        if again == cleaned:
            break
        cleaned = again
    if not html_lib.unescape(strip_tags(cleaned)).strip():
        return ""
    return cleaned
