"""Issue 6: the embed allow-list, the embed services and the consent gate's markup."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError

from liveblog import services
from liveblog.media import embeds
from liveblog.media import services as media_services
from liveblog.models import LiveEvent, Post, PostEmbed

pytestmark = pytest.mark.django_db


# Validation per provider --------------------------------------------------------------------

GOOD = [
    # (pasted, provider, canonical link, frame loaded after consent)
    (
        "https://twitter.com/BBCBreaking/status/873120139222306817",
        "x",
        "https://x.com/BBCBreaking/status/873120139222306817",
        "https://platform.twitter.com/embed/Tweet.html?id=873120139222306817&dnt=true",
    ),
    (
        "https://x.com/BBCNews/status/873120139222306817?s=20&t=tracking",
        "x",
        "https://x.com/BBCNews/status/873120139222306817",
        "https://platform.twitter.com/embed/Tweet.html?id=873120139222306817&dnt=true",
    ),
    (
        "https://mobile.twitter.com/bbc_look_east/status/1/photo/1",
        "x",
        "https://x.com/bbc_look_east/status/1",
        "https://platform.twitter.com/embed/Tweet.html?id=1&dnt=true",
    ),
    (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
        "youtube",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    (
        "https://youtu.be/dQw4w9WgXcQ",
        "youtube",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    (
        "https://www.youtube.com/shorts/dQw4w9WgXcQ",
        "youtube",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    (
        "https://www.instagram.com/p/BVDc7hWFqGq/",
        "instagram",
        "https://www.instagram.com/p/BVDc7hWFqGq/",
        "https://www.instagram.com/p/BVDc7hWFqGq/embed/",
    ),
    (
        "https://instagram.com/reel/C1a2b3c4d5e/?igsh=abc",
        "instagram",
        "https://www.instagram.com/reel/C1a2b3c4d5e/",
        "https://www.instagram.com/reel/C1a2b3c4d5e/embed/",
    ),
    (
        "https://www.facebook.com/bbcnews/posts/10155438374777217",
        "facebook",
        "https://www.facebook.com/bbcnews/posts/10155438374777217",
        "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2F"
        "bbcnews%2Fposts%2F10155438374777217&show_text=true",
    ),
    (
        "https://www.facebook.com/watch/?v=1234567890",
        "facebook",
        "https://www.facebook.com/watch/?v=1234567890",
        "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2F"
        "watch%2F%3Fv%3D1234567890&show_text=true",
    ),
    (
        "https://www.tiktok.com/@bbcnews/video/7281234567890123456?lang=en",
        "tiktok",
        "https://www.tiktok.com/@bbcnews/video/7281234567890123456",
        "https://www.tiktok.com/embed/v2/7281234567890123456",
    ),
    (
        "https://bsky.app/profile/bbcnews.bsky.social/post/3kxyzabcdefg2",
        "bluesky",
        "https://bsky.app/profile/bbcnews.bsky.social/post/3kxyzabcdefg2",
        "https://embed.bsky.app/embed/bbcnews.bsky.social/app.bsky.feed.post/3kxyzabcdefg2",
    ),
    (
        "https://mastodon.social/@bbc/110123456789012345",
        "mastodon",
        "https://mastodon.social/@bbc/110123456789012345",
        "https://mastodon.social/@bbc/110123456789012345/embed",
    ),
    (
        "HTTPS://X.COM/BBCNews/status/5",
        "x",
        "https://x.com/BBCNews/status/5",
        "https://platform.twitter.com/embed/Tweet.html?id=5&dnt=true",
    ),
]


@pytest.mark.parametrize(("pasted", "provider", "url", "frame_src"), GOOD)
def test_allowed_link_is_accepted_and_rebuilt_from_its_parts(pasted, provider, url, frame_src):
    embed = embeds.parse_embed_url(pasted)

    assert (embed.provider.key, embed.url, embed.frame_src) == (provider, url, frame_src)


LOOK_ALIKES = [
    "https://twitter.com.evil.example/BBCNews/status/1",
    "https://x.com.evil.example/BBCNews/status/1",
    "https://evil.example/twitter.com/BBCNews/status/1",
    "https://eviltwitter.com/BBCNews/status/1",
    "https://x.com@evil.example/BBCNews/status/1",
    "https://evil.example#@x.com/BBCNews/status/1",
    "https://twitter.com./BBCNews/status/1",
    "https://x.com:8443/BBCNews/status/1",
    "https://xn--twtter-3ve.com/BBCNews/status/1",
    "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    "https://www.youtube-nocookie.com.evil.example/embed/dQw4w9WgXcQ",
    "https://instagram.com.evil.example/p/BVDc7hWFqGq/",
    "https://bsky.app.evil.example/profile/a.bsky.social/post/3kxyzabcdefg2",
    "https://mastodon.social.evil.example/@bbc/1",
    "https://t.co/abcdef",
]


@pytest.mark.parametrize("pasted", LOOK_ALIKES)
def test_look_alike_or_unknown_host_is_refused(pasted):
    with pytest.raises(ValidationError) as caught:
        embeds.parse_embed_url(pasted)

    assert caught.value.code == "unknown_provider"
    assert "X (Twitter), YouTube, Instagram" in caught.value.messages[0]


NOT_A_POST = [
    "https://x.com/BBCNews",
    "https://x.com/BBCNews/likes",
    "https://x.com/BBCNews/status/notanumber",
    "https://x.com/i/flow/login",
    "https://www.youtube.com/channel/UC16niRr50-MSBwiO3YDb3RA",
    "https://www.youtube.com/watch?v=short",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ&v=dQw4w9WgXcQ",
    "https://www.instagram.com/bbcnews/",
    "https://www.facebook.com/bbcnews",
    "https://www.facebook.com/plugins/post.php?href=https://evil.example",
    "https://www.tiktok.com/@bbcnews",
    "https://bsky.app/profile/bbcnews.bsky.social",
    "https://mastodon.social/@bbc",
    "https://mastodon.social/@bbc/1/../../../oauth/authorize",
]


@pytest.mark.parametrize("pasted", NOT_A_POST)
def test_known_host_with_a_path_that_is_not_one_post_is_refused(pasted):
    with pytest.raises(ValidationError) as caught:
        embeds.parse_embed_url(pasted)

    assert caught.value.code == "not_a_post"
    assert "copy its address, for example https://" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("pasted", "code"),
    [
        ("http://x.com/BBCNews/status/1", "not_https"),
        ("javascript:alert(1)//x.com/BBCNews/status/1", "not_https"),
        ("data:text/html,<script>alert(1)</script>", "embed_code"),
        ("//x.com/BBCNews/status/1", "not_https"),
        ("x.com/BBCNews/status/1", "not_https"),
        ("", "not_a_link"),
        ("https://x.com/BBCNews/status/1 onmouseover=alert(1)", "not_a_link"),
        ('https://x.com/BBCNews/status/1"', "not_a_link"),
        ("https://x.com\\@evil.example/BBCNews/status/1", "not_a_link"),
        ("https://x.com/" + "a" * 600, "not_a_link"),
    ],
)
def test_other_schemes_and_malformed_links_are_refused(pasted, code):
    with pytest.raises(ValidationError) as caught:
        embeds.parse_embed_url(pasted)

    assert caught.value.code == code


def test_raw_embed_html_is_refused_with_a_message_asking_for_the_link():
    code = (
        '<blockquote class="twitter-tweet"><a href="https://twitter.com/BBCNews/status/1">'
        '</a></blockquote><script async src="https://platform.twitter.com/widgets.js"></script>'
    )

    with pytest.raises(ValidationError) as caught:
        embeds.parse_embed_url(code)

    assert caught.value.messages == [embeds.MSG_EMBED_CODE]


def test_mastodon_servers_come_from_the_setting(settings):
    settings.MASTODON_INSTANCES = ["journa.host", "social.example.org"]

    embed = embeds.parse_embed_url("https://social.example.org/@newsdesk/42")

    assert embed.consent_key == "mastodon:social.example.org"
    assert embed.party == "Mastodon (social.example.org)"
    with pytest.raises(ValidationError) as caught:
        embeds.parse_embed_url("https://mastodon.social/@bbc/1")
    assert caught.value.code == "unknown_provider"
    assert "Mastodon (journa.host, social.example.org)" in caught.value.messages[0]


# Services -----------------------------------------------------------------------------------


@pytest.fixture
def post(reporter, blog) -> Post:
    return services.create_post(blog=blog, by=reporter, headline="Reaction from the count")


def test_add_post_embed_stores_the_rebuilt_link_and_broadcasts_the_post(
    post, reporter, django_capture_on_commit_callbacks
):
    before = LiveEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        embed = media_services.add_post_embed(
            post, by=reporter, url="https://twitter.com/BBCNews/status/873?s=20"
        )

    assert (embed.provider, embed.url) == ("x", "https://x.com/BBCNews/status/873")
    events = list(LiveEvent.objects.order_by("seq")[before:])
    assert [e.kind for e in events] == [LiveEvent.Kind.POST_UPDATED]
    assert "Allow X content?" in events[0].html


def test_refused_embed_changes_nothing(post, reporter):
    media_services.add_post_embed(post, by=reporter, url="https://youtu.be/dQw4w9WgXcQ")
    post.refresh_from_db()
    version, events = post.version, LiveEvent.objects.count()

    with pytest.raises(ValidationError):
        media_services.add_post_embed(
            post, by=reporter, url="https://twitter.com.evil.example/a/status/1"
        )

    post.refresh_from_db()
    assert post.version == version
    assert [e.provider for e in post.embeds.all()] == ["youtube"]
    assert LiveEvent.objects.count() == events


def test_reporter_cannot_embed_in_someone_elses_post(post, other_reporter):
    with pytest.raises(PermissionDenied):
        media_services.add_post_embed(post, by=other_reporter, url="https://youtu.be/dQw4w9WgXcQ")

    assert not PostEmbed.objects.exists()


def test_changing_and_removing_an_embed_each_broadcast_the_post(post, reporter):
    embed = media_services.add_post_embed(post, by=reporter, url="https://youtu.be/dQw4w9WgXcQ")
    before = LiveEvent.objects.count()

    media_services.update_post_embed(embed, by=reporter, url="https://x.com/BBCNews/status/9")
    embed.refresh_from_db()
    assert (embed.provider, embed.url) == ("x", "https://x.com/BBCNews/status/9")
    media_services.remove_post_embed(embed, by=reporter)

    assert not post.embeds.exists()
    kinds = list(LiveEvent.objects.order_by("seq").values_list("kind", flat=True)[before:])
    assert kinds == [LiveEvent.Kind.POST_UPDATED, LiveEvent.Kind.POST_UPDATED]


def test_database_refuses_an_embed_that_is_not_https(post):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PostEmbed.objects.create(post=post, provider="x", url="http://x.com/a/status/1")


# The consent gate on the reader page --------------------------------------------------------

# Elements whose attributes make a browser fetch something as the page loads.
_FETCHING = {
    "script": ("src",),
    "iframe": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "link": ("href",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "frame": ("src",),
}

_FETCHING_LINKS = {
    "stylesheet",
    "icon",
    "apple-touch-icon",
    "manifest",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "prerender",
}


class _Fetches(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        rel = set((dict(attrs).get("rel") or "").lower().split())
        if tag == "link" and not rel & _FETCHING_LINKS:
            return  # canonical, alternate: addresses, not fetches
        for name, value in attrs:
            if name in _FETCHING.get(tag, ()) and value:
                self.urls += [part.strip().split(" ")[0] for part in value.split(",")]
            if name == "style" and value:
                self.styles.append(value)


def _page(client, post: Post) -> str:
    response = client.get(post.blog.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_reader_page_names_the_provider_and_asks_before_loading_anything(client, post, reporter):
    media_services.add_post_embed(post, by=reporter, url="https://twitter.com/BBCNews/status/873")

    html = _page(client, post)

    gate = html.split('class="embed embed--x"', 1)[1].split('class="embed__end"', 1)[0]
    assert "Allow X content?" in gate
    assert (
        "This article contains content provided by X. We ask for your permission before "
        "anything is loaded, as they may be using cookies and other technologies." in gate
    )
    assert "Accept and continue</button>" in gate
    assert "Remember my choice for X" in gate
    assert '<a href="https://x.com/BBCNews/status/873" rel="noopener noreferrer nofollow">' in gate
    assert "View original content on X" in gate
    assert 'data-consent-key="x"' in gate
    assert (
        'data-embed-src="https://platform.twitter.com/embed/Tweet.html?id=873&amp;dnt=true"' in gate
    )


def test_reader_page_fetches_nothing_from_a_provider_before_consent(client, post, reporter):
    for url in (
        "https://x.com/BBCNews/status/873",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.instagram.com/p/BVDc7hWFqGq/",
        "https://www.facebook.com/bbcnews/posts/10155438374777217",
        "https://www.tiktok.com/@bbcnews/video/7281234567890123456",
        "https://bsky.app/profile/bbcnews.bsky.social/post/3kxyzabcdefg2",
        "https://mastodon.social/@bbc/110123456789012345",
    ):
        media_services.add_post_embed(post, by=reporter, url=url)

    html = _page(client, post)
    parser = _Fetches()
    parser.feed(html)

    assert html.count("data-embed-src=") == 7
    assert parser.urls, "the page has its own stylesheet and scripts"
    for url in parser.urls:
        assert not urlsplit(url).netloc, f"{url} would be fetched from another host"
    assert "iframe" not in parser.tags
    assert not any("url(" in style for style in parser.styles)


def test_without_js_the_buttons_stay_hidden_and_the_link_remains(client, post, reporter):
    media_services.add_post_embed(post, by=reporter, url="https://youtu.be/dQw4w9WgXcQ")

    html = _page(client, post)

    assert '<div class="consent__actions" data-consent-js hidden>' in html
    assert "<span data-consent-js hidden> To view this content choose" in html
    assert '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html


def test_reader_page_loads_the_consent_script_as_a_module(client, post):
    html = _page(client, post)

    assert '<script type="module" src="/static/liveblog/js/consent.js"></script>' in html
    assert finders.find("liveblog/js/consent.js")


def test_embed_whose_mastodon_server_was_taken_off_the_list_shows_only_the_link(
    client, post, reporter, settings
):
    media_services.add_post_embed(post, by=reporter, url="https://mastodon.social/@bbc/7")
    settings.MASTODON_INSTANCES = []

    html = _page(client, post)

    assert "data-embed-src" not in html
    assert '<a href="https://mastodon.social/@bbc/7"' in html
