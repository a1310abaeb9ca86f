"""Atom feeds per blog (issue 7): valid XML with the elements Atom requires."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from liveblog import services
from tests.factories import ContributorFactory, PostFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
NIGHT = datetime(2017, 6, 9, 1, 0, tzinfo=UTC)


def _feed(client, url: str = "/live/ge2017/feed/") -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def _entries(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{ATOM}entry")


def _text(element: ET.Element, name: str) -> str:
    child = element.find(f"{ATOM}{name}")
    assert child is not None, f"<{name}> missing"
    return child.text or ""


def test_feed_has_the_elements_atom_requires(client, blog, reporter_post):
    root = _feed(client)

    assert root.tag == f"{ATOM}feed"
    assert _text(root, "title") == "General election 2017: live results"
    assert _text(root, "id")
    assert datetime.fromisoformat(_text(root, "updated"))
    assert (
        root.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/live/ge2017/feed/"
    )
    assert (
        root.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/live/ge2017/"
    )
    for entry in _entries(root):
        for name in ("id", "title", "updated", "summary"):
            assert _text(entry, name) is not None
        assert entry.find(f"{ATOM}author/{ATOM}name") is not None
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/live/ge2017/")


def test_entries_carry_id_updated_author_and_summary(client, blog, reporter_post):
    (entry,) = _entries(_feed(client))

    assert _text(entry, "id") == f"tag:live,2017:liveblog-post-{reporter_post.pk}"
    assert _text(entry, "title") == "Counting under way in Luton"
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Alex Pope"
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == "<p>Ballot boxes are arriving.</p>"
    updated = datetime.fromisoformat(_text(entry, "updated"))
    assert abs(updated - reporter_post.updated_at) < timedelta(seconds=1)
    assert datetime.fromisoformat(_text(entry, "published")) == reporter_post.published_at


def test_entries_are_published_posts_newest_first(client, blog, reporter, reporter_post):
    services.create_post(blog=blog, by=reporter, headline="Draft", status="draft")
    services.delete_post(services.create_post(blog=blog, by=reporter, headline="Gone"), by=reporter)
    newest = services.create_post(blog=blog, by=reporter, headline="Exit poll")

    titles = [_text(e, "title") for e in _entries(_feed(client))]

    assert titles == [newest.headline, "Counting under way in Luton"]


def test_post_with_several_contributors_names_them_all(client, blog):
    luke = ContributorFactory(name="Luke Ashmead")
    katy = ContributorFactory(name="Katy Lewis")
    PostFactory(blog=blog, contributors=[luke, katy])

    (entry,) = _entries(_feed(client))

    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Katy Lewis, Luke Ashmead"


def test_markup_in_a_headline_is_escaped_not_parsed(client, blog):
    PostFactory(blog=blog, headline="Labour <gain> & hold")

    (entry,) = _entries(_feed(client))

    assert _text(entry, "title") == "Labour <gain> & hold"


def test_key_events_feed_has_only_key_events(client, blog):
    PostFactory(blog=blog, headline="Turnout", published_at=NIGHT)
    PostFactory(blog=blog, headline="Exit poll", is_key_event=True, published_at=NIGHT)

    root = _feed(client, "/live/ge2017/feed/key-events/")

    assert _text(root, "title") == "General election 2017: live results: key events"
    assert [_text(e, "title") for e in _entries(root)] == ["Exit poll"]


def test_feed_of_an_unknown_blog_is_404(client, db):
    assert client.get("/live/nope/feed/").status_code == 404


def test_feed_runs_the_same_queries_however_many_posts(client, blog, django_assert_num_queries):
    for n in range(30):
        PostFactory(blog=blog, published_at=NIGHT + timedelta(minutes=n))

    # blog; posts; bylines, images, embeds, result cards
    with django_assert_num_queries(6):
        root = _feed(client)

    assert len(_entries(root)) == 30


def test_reader_page_links_its_feed(client, blog):
    html = client.get("/live/ge2017/").content.decode()

    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="General election 2017: live results" href="/live/ge2017/feed/">'
    ) in html
