"""Issue 14, item 4: a reporter's control characters must not break the public Atom feed.

Every feed here is parsed with an XML parser (expat refuses control characters and
U+FFFE/U+FFFF), for text written through the services (the rule cleans it on the way in)
and for text stored before the rule existed (the feed's writer cleans it on the way out).
"""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.db.models import Model

from liveblog import services
from liveblog.models import Contributor, LiveBlog, Post

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
REMOVED = ["\x01", "\x1f", "\x7f", "\x85", "\ufffe", "\uffff", "\U0010ffff", "\ud800"]


def _parsed_feed(client, url: str = "/live/ge2017/feed/") -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    return ET.fromstring(response.content)


def _titles(root: ET.Element) -> list[str]:
    return [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]


@pytest.mark.parametrize("char", REMOVED, ids=[f"U+{ord(c):04X}" for c in REMOVED])
def test_feed_stays_well_formed_with_a_hostile_character_in_headline_and_body(
    client, blog, reporter, char
):
    services.create_post(
        blog=blog, by=reporter, headline=f"Exit{char} poll", body=f"<p>Con{char} largest</p>"
    )

    root = _parsed_feed(client)

    assert _titles(root) == ["Exit poll"]
    assert root.find(f"{ATOM}entry/{ATOM}summary").text == "<p>Con largest</p>"


def test_feed_stays_well_formed_with_a_vertical_tab_which_becomes_a_line_break(
    client, blog, reporter
):
    # Word writes a manual line break into pasted text as U+000B (the example).
    services.create_post(blog=blog, by=reporter, headline="Exit\u000bpoll", body="<p>a\u000bb</p>")

    root = _parsed_feed(client)

    assert _titles(root) == ["Exit\npoll"]
    assert root.find(f"{ATOM}entry/{ATOM}summary").text == "<p>a\nb</p>"


def _write_past_the_rule(model: type[Model], pk: int, **values: str) -> None:
    """Store text as rows written before the rule existed: raw SQL, no model field."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {columns} WHERE id = %s", [*values.values(), pk])


def test_feed_of_text_stored_before_the_rule_is_well_formed(client, blog, reporter_post):
    _write_past_the_rule(
        Post,
        reporter_post.pk,
        headline="Luton\x01 North\ufffe",
        body="<p>Turnout\x0b 71%\uffff</p>",
    )
    _write_past_the_rule(Contributor, reporter_post.contributors.get().pk, name="Alex\x08 Pope")
    _write_past_the_rule(LiveBlog, blog.pk, title="Election\x1b night", description="A\x02B")

    root = _parsed_feed(client)

    assert root.find(f"{ATOM}title").text == "Election night"
    assert root.find(f"{ATOM}subtitle").text == "AB"
    assert _titles(root) == ["Luton North"]
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}summary").text == "<p>Turnout\n 71%</p>"
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Alex Pope"


def test_key_events_feed_of_text_stored_before_the_rule_is_well_formed(client, blog, editor):
    post = services.create_post(blog=blog, by=editor, headline="Exit poll", is_key_event=True)
    _write_past_the_rule(Post, post.pk, headline="Exit\x0c poll\uffff")

    root = _parsed_feed(client, "/live/ge2017/feed/key-events/")

    assert _titles(root) == ["Exit\n poll"]
