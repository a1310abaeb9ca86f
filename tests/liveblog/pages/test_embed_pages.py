"""Partner embeds (liveblog.pages.embed): the embed page is framed by the blog's partner sites
only, on every answer (first render, stored copy, 304, signed-in), while the reader page
stays framed by ourselves only; and the oEmbed answer."""

import json

import pytest

from liveblog import services
from liveblog.media import services as media_services
from liveblog.media.embeds import PROVIDERS
from liveblog.pages import caching
from liveblog.pages import store as page_store
from tests.liveblog.pages.test_page_store import Django, fast_get

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("store_on")]

EMBED = "/embed/live/ge2017/"
PARTNER = "https://news.example"


@pytest.fixture
def partnered(blog, editor):
    return services.update_blog(blog, by=editor, embed_origins=[PARTNER])


def ancestors(response_or_headers) -> list[str]:
    header = response_or_headers["Content-Security-Policy"]
    for part in header.split(";"):
        name, *values = part.split()
        if name == "frame-ancestors":
            return values
    raise AssertionError(f"no frame-ancestors in {header!r}")


def fast_headers(headers: dict[bytes, bytes]) -> dict[str, str]:
    return {k.decode().title(): v.decode() for k, v in headers.items()}


def test_the_embed_page_is_framed_by_the_blogs_partners_only(client, partnered, reporter_post):
    response = client.get(EMBED)

    assert response.status_code == 200
    assert ancestors(response) == ["'self'", PARTNER]
    assert "X-Frame-Options" not in response
    body = response.content.decode()
    assert reporter_post.headline in body
    assert f'data-embed-parents="{PARTNER}"' in body
    assert "site-header" not in body and "site-footer" not in body


def test_the_embed_page_carries_the_live_updates_and_the_consent_gates(
    client, partnered, reporter, reporter_post
):
    media_services.add_post_embed(reporter_post, by=reporter, url=PROVIDERS["x"].example)

    body = client.get(EMBED).content.decode()

    assert 'data-ws-path="/ws/live/ge2017/"' in body
    assert "liveblog/js/live.js" in body and "liveblog/js/consent.js" in body
    assert "liveblog/js/embed.js" in body
    assert "Allow X content?" in body
    assert "platform.twitter.com" in body  # only as data-embed-src, loaded after consent
    assert "<iframe" not in body


def test_without_partners_the_embed_page_is_framed_by_ourselves_only(client, blog):
    response = client.get(EMBED)

    assert ancestors(response) == ["'self'"]


def test_the_reader_page_stays_framed_by_ourselves_only(client, partnered):
    response = client.get("/live/ge2017/")

    assert ancestors(response) == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_stored_copy_served_through_django_keeps_the_partners(client, partnered):
    client.get(EMBED)  # stored
    caching.tokens.forget()  # the next request reads the row: served from the copy

    response = client.get(EMBED)

    assert ancestors(response) == ["'self'", PARTNER]
    assert "X-Frame-Options" not in response


def test_a_304_through_django_with_a_known_token_keeps_the_partners(client, partnered):
    etag = client.get(EMBED)["ETag"]

    response = client.get(EMBED, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert ancestors(response) == ["'self'", PARTNER]
    assert "X-Frame-Options" not in response


def test_a_304_without_a_stored_copy_reads_the_blog_for_its_partners(
    client, partnered, django_assert_num_queries
):
    etag = client.get(EMBED)["ETag"]
    page_store.store.clear()  # the token is known, the copy is gone (another process)

    with django_assert_num_queries(1):
        response = client.get(EMBED, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert ancestors(response) == ["'self'", PARTNER]


def test_the_reader_pages_304_needs_no_query_and_stays_framed_by_ourselves(
    client, partnered, django_assert_num_queries
):
    etag = client.get("/live/ge2017/")["ETag"]
    page_store.store.clear()

    with django_assert_num_queries(0):
        response = client.get("/live/ge2017/", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert ancestors(response) == ["'self'"]


def test_the_fast_path_serves_the_copy_with_the_partners(client, partnered):
    client.get(EMBED)
    django = Django()

    status, headers, _ = fast_get(django, EMBED)

    assert (status, django.calls) == (200, [])
    assert ancestors(fast_headers(headers)) == ["'self'", PARTNER]
    assert b"x-frame-options" not in {k.lower() for k in headers}


def test_the_fast_paths_304_repeats_the_copys_policy(client, partnered):
    etag = client.get(EMBED)["ETag"]
    django = Django()

    status, headers, _ = fast_get(django, EMBED, if_none_match=etag)

    assert (status, django.calls) == (304, [])
    assert ancestors(fast_headers(headers)) == ["'self'", PARTNER]


def test_the_fast_paths_304_of_the_reader_page_keeps_its_policy(client, partnered):
    first = client.get("/live/ge2017/")
    django = Django()

    status, headers, _ = fast_get(django, "/live/ge2017/", if_none_match=first["ETag"])

    assert status == 304
    assert ancestors(fast_headers(headers)) == ["'self'"]
    assert fast_headers(headers)["X-Frame-Options"] == "DENY"


def test_changing_the_partners_changes_every_answer_at_once(client, partnered, editor):
    etag = client.get(EMBED)["ETag"]

    services.update_blog(partnered, by=editor, embed_origins=["https://other.example"])
    revalidated = client.get(EMBED, headers={"If-None-Match": etag})
    status, headers, _ = fast_get(Django(), EMBED)

    assert revalidated.status_code == 200
    assert ancestors(revalidated) == ["'self'", "https://other.example"]
    assert f'data-embed-parents="{PARTNER}"' not in revalidated.content.decode()
    assert status == 200
    assert ancestors(fast_headers(headers)) == ["'self'", "https://other.example"]


def test_a_signed_in_editor_gets_a_private_embed_with_the_partners(client, partnered, editor):
    client.force_login(editor)

    response = client.get(EMBED)

    assert "no-store" in response["Cache-Control"]
    assert ancestors(response) == ["'self'", PARTNER]


def test_with_the_database_down_the_last_copy_keeps_the_partners(client, partnered, monkeypatch):
    from django.db import OperationalError

    client.get(EMBED)
    caching.tokens.forget()

    def down(slug):
        raise OperationalError("database is down")

    monkeypatch.setattr(caching.selectors, "get_blog_for_readers", down)
    response = client.get(EMBED)

    assert response.status_code == 200
    assert ancestors(response) == ["'self'", PARTNER]


def test_an_unknown_blogs_embed_is_404_and_framed_by_nobody(client, db):
    response = client.get("/embed/live/nope/")

    assert response.status_code == 404
    assert ancestors(response) == ["'self'"]


# oEmbed ----------------------------------------------------------------------------------


def oembed(client, url, **params):
    return client.get("/oembed", {"url": url, **params})


def test_oembed_answers_a_reader_page_with_the_frame_and_the_snippet(client, blog):
    response = oembed(client, "http://testserver/live/ge2017/", format="json")

    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["version"] == "1.0"
    assert data["type"] == "rich"
    assert data["title"] == blog.title
    assert data["provider_url"] == "http://testserver/"
    assert (data["width"], data["height"]) == (1200, 600)
    html = data["html"]
    assert html.startswith('<iframe src="http://testserver/embed/live/ge2017/"')
    assert "data-liveblog-embed" in html
    assert '"liveblog:height"' in html
    assert "event.origin" in html


def test_oembed_answers_the_embed_page_too_and_honours_smaller_sizes(client, blog):
    data = json.loads(
        oembed(
            client, "http://testserver/embed/live/ge2017/", maxwidth="400", maxheight="300"
        ).content
    )

    assert (data["width"], data["height"]) == (400, 300)
    assert 'height="300"' in data["html"]


@pytest.mark.parametrize("size", ["-5", "0", "abc", "99999999999999999999"])
def test_oembed_sizes_out_of_range_fall_back_within_bounds(client, blog, size):
    data = json.loads(oembed(client, "http://testserver/live/ge2017/", maxheight=size).content)

    assert 1 <= data["height"] <= 600


@pytest.mark.parametrize(
    "url",
    [
        "http://testserver/live/nope/",
        "https://evil.example/live/ge2017/",
        "http://testserver.evil.example/live/ge2017/",
        "http://evil.example@testserver/live/ge2017/",
        "http://testserver/admin/",
        "http://testserver/live/ge2017/feed/",
        "http://testserver/",
        "javascript:alert(1)//testserver/live/ge2017/",
        "/live/ge2017/",
        "http://testserver/live/ge2017/" + "x" * 5000,
        "http://[::1",
    ],
)
def test_oembed_is_404_for_anything_but_an_embeddable_page_of_ours(client, blog, url):
    assert oembed(client, url).status_code == 404


def test_oembed_of_a_drafts_anchor_is_the_blog_and_shows_no_draft(client, blog, reporter):
    draft = services.create_post(
        blog=blog, by=reporter, headline="Not yet", status="draft", body="<p>Secret</p>"
    )

    data = json.loads(oembed(client, f"http://testserver/live/ge2017/#post-{draft.pk}").content)

    assert "Not yet" not in data["html"]
    assert "Not yet" not in client.get(EMBED).content.decode()


def test_oembed_refuses_xml_with_501(client, blog):
    assert oembed(client, "http://testserver/live/ge2017/", format="xml").status_code == 501


def test_oembed_without_a_url_is_400(client, db):
    assert client.get("/oembed").status_code == 400


def test_the_reader_page_links_its_oembed(client, blog):
    body = client.get("/live/ge2017/").content.decode()

    assert (
        '<link rel="alternate" type="application/json+oembed" '
        'href="http://testserver/oembed?url=http%3A%2F%2Ftestserver%2Flive%2Fge2017%2F&amp;format=json"'
    ) in body


def test_a_row_written_around_the_validation_cannot_widen_the_policy(client, blog):
    from liveblog.models import LiveBlog

    LiveBlog.objects.filter(pk=blog.pk).update(
        embed_origins=["https://a.example; script-src *", "*", "https://ok.example"]
    )

    response = client.get(EMBED)

    assert ancestors(response) == ["'self'", "https://ok.example"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "script-src *" not in response["Content-Security-Policy"]
