"""Issue 14: property tests of the body sanitiser. Whatever a reporter pastes, the stored
body holds only the allow-list and the text rule, and cleaning it again changes nothing."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from liveblog.sanitize import ALLOWED_TAGS, ALLOWED_URL_SCHEMES, clean_body
from liveblog.text import clean_text

BOUNDED = settings(max_examples=150, deadline=None)

FRAGMENTS = [
    "<p>",
    "</p>",
    "<a href='https://example.org/x?a=1&b=2'>",
    '<a href="javascript:alert(1)">',
    "<a href=' java\tscript:x'>",
    "<a href=data:text/html,x title=t onclick=x>",
    "</a>",
    "<script>alert(1)</script>",
    "<style>p{}</style>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=https://evil.example>",
    "<svg><g onload=x>",
    "<math><mi>",
    "<template><p>",
    "<noscript><p>",
    "<strong>",
    "</strong>",
    "<em>",
    "<ul><li>",
    "<ol>",
    "<blockquote>",
    "<br>",
    "<br/>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "&#11;",
    "&#xFFFE;",
    "&#0;",
    "&#x85;",
    "&amp;",
    "&lt;script&gt;",
    "\x0b",
    "\x01",
    "\ufffe",
    "\r\n",
    "<p style='x' class=y id=z>",
    "<a href=mailto:desk@example.org>",
    "<div>",
    "<table><tr><td>",
    "<",
    ">",
    "'",
    '"',
    "=",
]
html_ish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=30).map(
    "".join
)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def _markup(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def _without_nul(html: str) -> str:
    return html.replace("\x00", "")


@BOUNDED
@given(html_ish.map(_without_nul))
@example("<a href='javascript:alert(1)'>x</a><script>alert(1)</script>")
def test_any_input_leaves_only_allowed_tags_attributes_and_schemes(html):
    markup = _markup(clean_body(html))

    assert markup.comments == []
    for tag, attrs in markup.tags:
        assert tag in ALLOWED_TAGS
        names = {name for name, _value in attrs}
        assert names <= ({"href", "rel"} if tag == "a" else set())
        href = dict(attrs).get("href")
        if href:
            scheme = urlsplit(href).scheme
            assert scheme == "" or scheme in ALLOWED_URL_SCHEMES


def test_title_and_lang_are_stripped_like_every_attribute_off_the_list():
    # nh3 allows both on every tag unless told otherwise; hypothesis found it.
    html = '<p title="x" lang="en">Hold<a href="https://bbc.co.uk" title="y">link</a></p>'

    assert clean_body(html) == (
        '<p>Hold<a href="https://bbc.co.uk" rel="noopener nofollow">link</a></p>'
    )


@BOUNDED
@given(html_ish.map(_without_nul))
def test_cleaning_a_cleaned_body_changes_nothing(html):
    once = clean_body(html)

    assert clean_body(once) == once


@BOUNDED
@given(html_ish.map(_without_nul))
def test_a_cleaned_body_obeys_the_text_rule(html):
    cleaned = clean_body(html)

    assert clean_text(cleaned) == cleaned


@BOUNDED
@given(html_ish, html_ish)
def test_a_body_with_nul_is_refused(before, after):
    with pytest.raises(ValidationError):
        clean_body(f"{before}\x00{after}")


def test_an_anchor_nested_after_a_dropped_table_is_cleaned_to_a_stable_body():
    # Found by hypothesis in CI: one pass left <a>…<a></a></a>, which parses differently.
    html = (
        "<a href='https://example.org/x?a=1&b=2'>&#0;"
        "<table><tr><td><a href=mailto:desk@example.org>"
    )

    once = clean_body(html)

    assert clean_body(once) == once
    assert "</a></a>" not in once
