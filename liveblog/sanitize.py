"""The one allow-list for post bodies. Everything a reporter writes passes through here.

The text rule (liveblog.text) applies before and after the allow-list: before, so NUL is
refused and debris removed from what was typed; after, because character references such
as `&#11;` or `&#xFFFE;` decode to exactly the characters the rule removes.
"""

import html as html_lib

import nh3
from django.utils.html import strip_tags

from .text import clean_text, scrub_text

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


def clean_body(html: str) -> str:
    """Return `html` reduced to the body allow-list and the text rule; '' when nothing
    readable remains. Raises ValidationError if `html` contains NUL. Idempotent."""
    cleaned = scrub_text(_cleaner.clean(clean_text(html or ""))).strip()
    if not html_lib.unescape(strip_tags(cleaned)).strip():
        return ""
    return cleaned
