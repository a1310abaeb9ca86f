"""Reader page head (issue 7): LiveBlogPosting JSON-LD, Open Graph and Twitter tags,
canonical URL; the sitemap of blogs and results pages."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from liveblog import services
from liveblog.models import LiveBlog
from tests.factories import ContributorFactory, PostFactory
from tests.results.conftest import small_election, small_files  # noqa: F401

pytestmark = pytest.mark.django_db

NIGHT = datetime(2017, 6, 9, 1, 0, tzinfo=UTC)
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _html(client, query: dict | None = None) -> str:
    response = client.get("/live/ge2017/", query or {})
    assert response.status_code == 200
    return response.content.decode()


def _json_ld(html: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def _meta(html: str, attr: str, name: str) -> str:
    match = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)">', html)
    assert match, f"no {name}"
    return match.group(1)


def test_json_ld_describes_the_live_blog_and_its_latest_updates(client, blog):
    luke = ContributorFactory(name="Luke Ashmead")
    old = PostFactory(blog=blog, headline="Polls close", published_at=NIGHT, contributors=[luke])
    new = PostFactory(blog=blog, headline="Exit poll", published_at=NIGHT + timedelta(hours=1))

    data = _json_ld(_html(client))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "LiveBlogPosting"
    assert data["headline"] == "General election 2017: live results"
    assert data["url"] == "http://testserver/live/ge2017/"
    assert datetime.fromisoformat(data["coverageStartTime"]) == blog.created_at.replace(
        microsecond=0
    )
    assert "coverageEndTime" not in data  # still live
    updates = data["liveBlogUpdate"]
    assert [u["@type"] for u in updates] == ["BlogPosting", "BlogPosting"]
    assert [u["headline"] for u in updates] == ["Exit poll", "Polls close"]
    assert updates[1]["datePublished"] == "2017-06-09T02:00:00+01:00"  # the blog's zone, BST
    assert datetime.fromisoformat(updates[1]["datePublished"]) == old.published_at
    assert updates[1]["author"] == [{"@type": "Person", "name": "Luke Ashmead"}]
    assert updates[0]["author"] == [{"@type": "Organization", "name": "Live"}]
    assert updates[0]["url"] == f"http://testserver/live/ge2017/#post-{new.pk}"


def test_ended_blog_has_a_coverage_end_time(client, blog, editor):
    services.set_blog_status(blog, status=LiveBlog.Status.ENDED, by=editor)

    data = _json_ld(_html(client))

    blog.refresh_from_db()
    assert datetime.fromisoformat(data["coverageEndTime"]) == blog.updated_at.replace(microsecond=0)


def test_a_headline_cannot_break_out_of_the_json_ld_script(client, blog):
    evil = '</script><script>alert("x")</script><!--'
    PostFactory(blog=blog, headline=evil, body="<p>a & b</p>")

    html = _html(client)

    head = html.split("</head>", 1)[0]
    assert "<script>alert" not in head
    assert head.count("</script>") == 1  # only the JSON-LD element's own end
    data = _json_ld(html)
    assert data["liveBlogUpdate"][0]["headline"] == evil
    assert data["liveBlogUpdate"][0]["articleBody"] == "a & b"


def test_open_graph_and_twitter_cards(client, blog):
    blog.description = 'Results "as they happen"'
    blog.save()

    html = _html(client)

    assert _meta(html, "property", "og:type") == "article"
    assert _meta(html, "property", "og:title") == "General election 2017: live results"
    assert _meta(html, "property", "og:description") == "Results &quot;as they happen&quot;"
    assert _meta(html, "property", "og:url") == "http://testserver/live/ge2017/"
    assert _meta(html, "name", "twitter:card") == "summary"
    assert _meta(html, "name", "twitter:title") == "General election 2017: live results"
    assert _meta(html, "name", "description") == "Results &quot;as they happen&quot;"


def test_canonical_url_is_the_page_itself(client, blog):
    for _ in range(25):
        PostFactory(blog=blog)
    html = _html(client)
    cursor = html.split('rel="next" href="/live/ge2017/?before=', 1)[1].split('"', 1)[0]

    older = _html(client, {"before": cursor})

    assert '<link rel="canonical" href="http://testserver/live/ge2017/">' in html
    assert f'<link rel="canonical" href="http://testserver/live/ge2017/?before={cursor}">' in older


def test_head_adds_no_queries(client, blog, django_assert_num_queries):
    PostFactory(blog=blog)

    # As tests/liveblog/pages/test_views.py pins for the page: the head reads what it loaded.
    with django_assert_num_queries(7):
        client.get("/live/ge2017/")


# Sitemap ----------------------------------------------------------------------------------------


def test_sitemap_lists_blogs_and_results_pages(client, blog, small_election):  # noqa: F811
    LiveBlog.objects.create(title="Budget", slug="budget")

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    root = ET.fromstring(response.content)
    locs = {u.find(f"{SITEMAP}loc").text for u in root.findall(f"{SITEMAP}url")}
    assert {
        "http://testserver/live/ge2017/",
        "http://testserver/live/budget/",
        "http://testserver/results/ge2017/",
        "http://testserver/results/ge2017/milton-keynes-south/",
        "http://testserver/results/ge2017/buckingham/",
    } <= locs
    for url in root.findall(f"{SITEMAP}url"):
        loc = url.find(f"{SITEMAP}loc").text
        assert client.get(loc.removeprefix("http://testserver")).status_code == 200, loc


def test_sitemap_lastmod_of_a_blog_follows_its_latest_event(client, blog, reporter):
    services.create_post(blog=blog, by=reporter, headline="Exit poll")

    root = ET.fromstring(client.get("/sitemap.xml").content)

    (url,) = [
        u
        for u in root.findall(f"{SITEMAP}url")
        if u.find(f"{SITEMAP}loc").text.endswith("/live/ge2017/")
    ]
    event = blog.events.get(seq=1)
    assert url.find(f"{SITEMAP}lastmod").text == event.created_at.strftime("%Y-%m-%d")
