"""The body allow-list, example by example (the properties are in test_sanitize_properties)."""

import pytest

from liveblog.sanitize import clean_body


@pytest.mark.parametrize(
    "html",
    [
        "<p>Turnout is <strong>up</strong> in <em>Bedford</em>.</p>",
        "<ul><li>one</li><li>two</li></ul>",
        "<ol><li>first</li></ol>",
        "<blockquote><p>We won</p></blockquote>",
        "<p>line<br>break</p>",
    ],
)
def test_what_the_editor_makes_is_kept_as_it_is(html):
    assert clean_body(html) == html


def test_links_keep_their_address_and_get_noopener_nofollow():
    assert clean_body('<a href="https://www.bbc.co.uk/news">BBC</a>') == (
        '<a href="https://www.bbc.co.uk/news" rel="noopener nofollow">BBC</a>'
    )
    assert 'href="mailto:desk@example.org"' in clean_body('<a href="mailto:desk@example.org">m</a>')


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", "data:text/html,x", "vbscript:x", " java\tscript:x"]
)
def test_links_to_other_schemes_lose_their_address(href):
    assert clean_body(f'<a href="{href}">x</a>') == '<a rel="noopener nofollow">x</a>'


def test_scripts_styles_and_frames_go_with_their_content():
    body = (
        "<p>a</p><script>alert(1)</script><style>p{color:red}</style>"
        "<iframe src=https://evil.example>inside</iframe><p>b</p>"
    )
    assert clean_body(body) == "<p>a</p><p>b</p>"


def test_unknown_tags_go_but_their_text_stays():
    assert clean_body("<div><span>Luton</span> <h1>South</h1></div>") == "Luton South"


def test_attributes_off_the_list_go():
    assert clean_body('<p class="x" style="color:red" onclick="x" title="t">p</p>') == "<p>p</p>"


def test_comments_go():
    assert clean_body("<p>a<!-- the desk's note --></p>") == "<p>a</p>"


@pytest.mark.parametrize(
    "html", ["", "   ", "<p></p>", "<p>&nbsp;</p>", "<script>x</script>", "<br><br>", None]
)
def test_nothing_readable_is_an_empty_body(html):
    assert clean_body(html) == ""


def test_text_is_escaped_not_interpreted():
    assert clean_body("<p>5 < 6 & 7 > 3</p>") == "<p>5 &lt; 6 &amp; 7 &gt; 3</p>"
