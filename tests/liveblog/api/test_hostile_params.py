"""Issue 14: every public URL answers junk in its path and query with 400 or 404, never 500.

The public views, feeds, sitemap, results pages and the whole read API are swept with huge
and negative numbers, unicode, NUL, overlong strings, bad dates, bad slugs and bad cursors,
in every parameter they read. Run on PostgreSQL too (DATABASE_URL): it refuses NUL in text
and integers past 64 bits, where SQLite is lenient.
"""

import pytest

from tests.results.conftest import MK_SOUTH, small_election, small_files  # noqa: F401

pytestmark = pytest.mark.django_db

JUNK = [
    "99999999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "-1",
    "0",
    "1.5",
    "1e400",
    "NaN",
    "é🗳\u202e",
    "\x00",
    "a\x00b",
    "%00",
    "x" * 5000,
    "2017-13-45",
    "0000-00-00T25:61:61",
    "../../etc/passwd",
    "<script>",
    "%ff%fe",
    "-62135596800000001-1",
    "-62135595000000000-40",
    "1-9223372036854775808",
    "253402300800000000-1",
    "1--1",
    "1-" + "9" * 40,
    "9" * 5000 + "-1",
    "-",
    "",
]
# Path segments: the converters take what matches them; the rest must 404 from the resolver.
JUNK_SEGMENTS = [
    "99999999999999999999999",
    "9223372036854775808",
    "0",
    "x" * 500,
    "%00",
    "%C3%A9",
    "%ff",
    "a.b",
    "-",
    "_",
]


def _pages(post_id: int) -> list[tuple[str, tuple[str, ...]]]:
    """Every public URL of the demo-sized site, with the query parameters it reads."""
    return [
        ("/", ()),
        ("/live/ge2017/", ("before",)),
        ("/live/ge2017/feed/", ()),
        ("/live/ge2017/feed/key-events/", ()),
        ("/sitemap.xml", ("p",)),
        ("/results/ge2017/", ()),
        ("/results/ge2017/milton-keynes-south/", ()),
        ("/api/v1/blogs/", ()),
        ("/api/v1/blogs/ge2017/", ()),
        ("/api/v1/blogs/ge2017/posts/", ("cursor", "limit", "after_seq")),
        ("/api/v1/blogs/ge2017/key-events/", ()),
        (f"/api/v1/blogs/ge2017/posts/{post_id}/", ()),
        ("/api/v1/elections/ge2017/scoreboard/", ()),
        (f"/api/v1/elections/ge2017/constituencies/{MK_SOUTH}/", ()),
        ("/api/v1/schema/", ("format",)),
    ]


def _path_templates() -> list[str]:
    return [
        "/live/{}/",
        "/live/{}/feed/",
        "/live/{}/feed/key-events/",
        "/results/{}/",
        "/results/ge2017/{}/",
        "/results/{}/milton-keynes-south/",
        "/api/v1/blogs/{}/",
        "/api/v1/blogs/{}/posts/",
        "/api/v1/blogs/{}/key-events/",
        "/api/v1/blogs/ge2017/posts/{}/",
        "/api/v1/elections/{}/scoreboard/",
        "/api/v1/elections/ge2017/constituencies/{}/",
        f"/api/v1/elections/{{}}/constituencies/{MK_SOUTH}/",
    ]


@pytest.fixture
def site(small_election, blog, reporter_post):  # noqa: F811
    return reporter_post.pk


def test_every_query_parameter_with_junk_is_never_a_server_error(client, site):
    failures = []
    for url, params in _pages(site):
        # A parameter a view does not read changes nothing; one such name per URL suffices.
        for name in params or ("unknown",):
            for value in JUNK:
                response = client.get(url, {name: value})
                if response.status_code >= 500:
                    failures.append((url, name, value[:40], response.status_code))
    assert failures == []


def test_every_path_parameter_with_junk_is_a_404_or_400(client, site):
    failures = []
    for template in _path_templates():
        for segment in JUNK_SEGMENTS:
            url = template.format(segment)
            status = client.get(url).status_code
            if status not in (400, 404):
                failures.append((url[:80], status))
    assert failures == []


def test_every_url_is_well_formed_for_the_happy_path_too(client, site):
    # The sweep above only means something if the URLs themselves are right.
    statuses = {url: client.get(url).status_code for url, _params in _pages(site)}
    assert set(statuses.values()) == {200}, statuses
