"""The allow-list of social embeds: which links a reporter may embed, and how readers load them.

Reporters paste the address of a single post or video; nothing else (no embed code, no HTML)
is accepted. A link is accepted only over https, for a host that is exactly one of the
provider's hosts, with a path (and query) of the provider's shape. What is stored and shown
is rebuilt from the parsed parts, never the pasted text.

Readers load nothing from the provider until they accept (see consent.js): the page carries
the frame address in a data attribute and the browser fetches it only after the click.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

# Mastodon is federated: each instance is a different party with its own policies, so only
# the instances the newsroom lists are accepted. Override in settings.
DEFAULT_MASTODON_INSTANCES = (
    "mastodon.social",
    "mastodon.online",
    "mstdn.social",
    "journa.host",
    "newsie.social",
)

MAX_URL_LENGTH = 500

MSG_EMBED_CODE = (
    "Paste the address of the post (starting https://), not its embed code: HTML and "
    "scripts are never accepted."
)
MSG_NOT_A_LINK = "That is not a web address. Open the post and copy its address from the browser."
MSG_NOT_HTTPS = "Use the post’s https:// address."
MSG_UNKNOWN_PROVIDER = (
    "Embeds work for posts on %(providers)s. That address is not one of them; check it is "
    "the provider’s own address (not a shortened or look-alike link)."
)
MSG_NOT_A_POST = (
    "That %(provider)s address is not a single post or video. Open the post itself and "
    "copy its address, for example %(example)s."
)


@dataclass(frozen=True)
class Provider:
    key: str
    name: str
    example: str
    privacy_url: str
    cookie_url: str


@dataclass(frozen=True)
class Embed:
    """A validated embed: `url` links to the original, `frame_src` is loaded after consent."""

    provider: Provider
    url: str
    frame_src: str
    # Readers remember consent per party: per provider, and per instance for Mastodon.
    consent_key: str
    # The party named to readers ("X", "Mastodon (mastodon.social)").
    party: str
    privacy_url: str
    cookie_url: str


X = Provider(
    "x",
    "X",
    "https://x.com/BBCBreaking/status/873120139222306817",
    "https://x.com/en/privacy",
    "https://help.x.com/en/rules-and-policies/x-cookies",
)
YOUTUBE = Provider(
    "youtube",
    "YouTube",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://policies.google.com/privacy",
    "https://policies.google.com/technologies/cookies",
)
INSTAGRAM = Provider(
    "instagram",
    "Instagram",
    "https://www.instagram.com/p/BVDc7hWFqGq/",
    "https://privacycenter.instagram.com/policy",
    "https://privacycenter.instagram.com/policies/cookies/",
)
FACEBOOK = Provider(
    "facebook",
    "Facebook",
    "https://www.facebook.com/bbcnews/posts/10155438374777217",
    "https://www.facebook.com/privacy/policy/",
    "https://www.facebook.com/privacy/policies/cookies/",
)
TIKTOK = Provider(
    "tiktok",
    "TikTok",
    "https://www.tiktok.com/@bbcnews/video/7281234567890123456",
    "https://www.tiktok.com/legal/page/eea/privacy-policy/en",
    "https://www.tiktok.com/legal/page/global/cookie-policy/en",
)
BLUESKY = Provider(
    "bluesky",
    "Bluesky",
    "https://bsky.app/profile/bbcnews.bsky.social/post/3kxyzabcdefg2",
    "https://bsky.social/about/support/privacy-policy",
    "https://bsky.social/about/support/privacy-policy",
)
MASTODON = Provider(
    "mastodon",
    "Mastodon",
    "https://mastodon.social/@bbc/110123456789012345",
    "",
    "",
)
PROVIDERS: dict[str, Provider] = {
    p.key: p for p in (X, YOUTUBE, INSTAGRAM, FACEBOOK, TIKTOK, BLUESKY, MASTODON)
}
PROVIDER_CHOICES = [(p.key, p.name) for p in PROVIDERS.values()]


def mastodon_instances() -> frozenset[str]:
    instances = getattr(settings, "MASTODON_INSTANCES", DEFAULT_MASTODON_INSTANCES)
    return frozenset(host.strip().lower() for host in instances if host.strip())


# Per provider: the hosts it answers on and the path/query shapes of a single post. Each
# matcher returns (canonical url, frame src) or None.
Matcher = Callable[[str, str, dict[str, list[str]]], tuple[str, str] | None]

_X_PATH = re.compile(
    r"/(?P<user>[A-Za-z0-9_]{1,15})/status(?:es)?/(?P<id>[0-9]{1,20})(?:/(?:photo|video)/[1-4])?/?"
)
_YOUTUBE_ID = r"(?P<id>[A-Za-z0-9_-]{11})"
_YOUTUBE_PATH = re.compile(rf"/(?:shorts|live|embed)/{_YOUTUBE_ID}/?")
_YOUTUBE_SHORT_PATH = re.compile(rf"/{_YOUTUBE_ID}/?")
_INSTAGRAM_PATH = re.compile(
    r"/(?:[A-Za-z0-9_.]{1,30}/)?(?P<kind>p|reel|tv)/(?P<code>[A-Za-z0-9_-]{5,40})/?"
)
_FACEBOOK_POST_PATH = re.compile(
    r"/(?P<page>[A-Za-z0-9.-]{1,80})/(?P<kind>posts|videos)/(?P<id>[A-Za-z0-9]{1,80})/?"
)
_FACEBOOK_REEL_PATH = re.compile(r"/reel/(?P<id>[0-9]{1,25})/?")
_DIGITS = re.compile(r"[0-9]{1,25}")
_TIKTOK_PATH = re.compile(r"/@(?P<user>[A-Za-z0-9_.]{1,24})/video/(?P<id>[0-9]{1,25})/?")
_BLUESKY_PATH = re.compile(
    r"/profile/(?P<actor>did:plc:[a-z2-7]{24}|did:web:[a-z0-9.-]{1,253}"
    r"|[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+)/post/(?P<rkey>[a-z2-7]{13})/?"
)
_MASTODON_PATH = re.compile(r"/@(?P<user>[A-Za-z0-9_]{1,30})/(?P<id>[0-9]{1,20})/?")


def _single(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values and len(values) == 1 else None


def _match_x(host: str, path: str, query: dict[str, list[str]]) -> tuple[str, str] | None:
    m = _X_PATH.fullmatch(path)
    if not m:
        return None
    user, status_id = m["user"], m["id"]
    return (
        f"https://x.com/{user}/status/{status_id}",
        f"https://platform.twitter.com/embed/Tweet.html?id={status_id}&dnt=true",
    )


def _match_youtube(host: str, path: str, query: dict[str, list[str]]) -> tuple[str, str] | None:
    video_id = None
    if host == "youtu.be":
        m = _YOUTUBE_SHORT_PATH.fullmatch(path)
        video_id = m["id"] if m else None
    elif path == "/watch":
        candidate = _single(query, "v") or ""
        video_id = candidate if re.fullmatch(_YOUTUBE_ID, candidate) else None
    else:
        m = _YOUTUBE_PATH.fullmatch(path)
        video_id = m["id"] if m else None
    if video_id is None:
        return None
    # youtube-nocookie: YouTube's reduced-tracking player, loaded only after consent anyway.
    return (
        f"https://www.youtube.com/watch?v={video_id}",
        f"https://www.youtube-nocookie.com/embed/{video_id}",
    )


def _match_instagram(host: str, path: str, query: dict[str, list[str]]) -> tuple[str, str] | None:
    m = _INSTAGRAM_PATH.fullmatch(path)
    if not m:
        return None
    kind = "p" if m["kind"] == "tv" else m["kind"]
    url = f"https://www.instagram.com/{kind}/{m['code']}/"
    return url, f"{url}embed/"


def _match_facebook(host: str, path: str, query: dict[str, list[str]]) -> tuple[str, str] | None:
    video = False
    if m := _FACEBOOK_POST_PATH.fullmatch(path):
        url = f"https://www.facebook.com/{m['page']}/{m['kind']}/{m['id']}"
        video = m["kind"] == "videos"
    elif m := _FACEBOOK_REEL_PATH.fullmatch(path):
        url, video = f"https://www.facebook.com/reel/{m['id']}", True
    elif path in ("/watch", "/watch/") and _DIGITS.fullmatch(_single(query, "v") or ""):
        url, video = f"https://www.facebook.com/watch/?v={_single(query, 'v')}", True
    elif path in ("/photo", "/photo/", "/photo.php") and _DIGITS.fullmatch(
        _single(query, "fbid") or ""
    ):
        url = f"https://www.facebook.com/photo/?fbid={_single(query, 'fbid')}"
    elif (
        path == "/permalink.php"
        and _DIGITS.fullmatch(_single(query, "story_fbid") or "")
        and _DIGITS.fullmatch(_single(query, "id") or "")
    ):
        story, page = _single(query, "story_fbid"), _single(query, "id")
        url = f"https://www.facebook.com/permalink.php?story_fbid={story}&id={page}"
    else:
        return None
    plugin = "video" if video else "post"
    href = quote(url, safe="")
    return url, f"https://www.facebook.com/plugins/{plugin}.php?href={href}&show_text=true"


def _match_tiktok(host: str, path: str, query: dict[str, list[str]]) -> tuple[str, str] | None:
    m = _TIKTOK_PATH.fullmatch(path)
    if not m:
        return None
    return (
        f"https://www.tiktok.com/@{m['user']}/video/{m['id']}",
        f"https://www.tiktok.com/embed/v2/{m['id']}",
    )


def _match_bluesky(host: str, path: str, query: dict[str, list[str]]) -> tuple[str, str] | None:
    m = _BLUESKY_PATH.fullmatch(path)
    if not m:
        return None
    actor, rkey = m["actor"], m["rkey"]
    return (
        f"https://bsky.app/profile/{actor}/post/{rkey}",
        f"https://embed.bsky.app/embed/{actor}/app.bsky.feed.post/{rkey}",
    )


def _match_mastodon(host: str, path: str, query: dict[str, list[str]]) -> tuple[str, str] | None:
    m = _MASTODON_PATH.fullmatch(path)
    if not m:
        return None
    url = f"https://{host}/@{m['user']}/{m['id']}"
    return url, f"{url}/embed"


_STATIC_HOSTS: dict[str, tuple[Provider, Matcher]] = {
    **dict.fromkeys(
        (
            "x.com",
            "www.x.com",
            "mobile.x.com",
            "twitter.com",
            "www.twitter.com",
            "mobile.twitter.com",
        ),
        (X, _match_x),
    ),
    **dict.fromkeys(
        ("www.youtube.com", "youtube.com", "m.youtube.com", "youtu.be"),
        (YOUTUBE, _match_youtube),
    ),
    **dict.fromkeys(("www.instagram.com", "instagram.com"), (INSTAGRAM, _match_instagram)),
    **dict.fromkeys(
        ("www.facebook.com", "facebook.com", "m.facebook.com", "web.facebook.com"),
        (FACEBOOK, _match_facebook),
    ),
    **dict.fromkeys(("www.tiktok.com", "tiktok.com", "m.tiktok.com"), (TIKTOK, _match_tiktok)),
    "bsky.app": (BLUESKY, _match_bluesky),
}

# Anything but these in a pasted address is refused before parsing: no spaces, controls,
# backslashes, quotes or angle brackets that parsers disagree about.
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def _lookup(host: str) -> tuple[Provider, Matcher] | None:
    if host in _STATIC_HOSTS:
        return _STATIC_HOSTS[host]
    if host in mastodon_instances():
        return MASTODON, _match_mastodon
    return None


def providers_sentence() -> str:
    names = [p.name if p is not X else "X (Twitter)" for p in PROVIDERS.values() if p != MASTODON]
    instances = sorted(mastodon_instances())
    if instances:
        names.append(f"Mastodon ({', '.join(instances)})")
    return ", ".join(names[:-1]) + " and " + names[-1]


def parse_embed_url(value: str) -> Embed:
    """Validate a pasted link against the allow-list; raise ValidationError saying how to fix it."""
    text = (value or "").strip()
    if "<" in text or ">" in text:
        raise ValidationError(MSG_EMBED_CODE, code="embed_code")
    if not text or len(text) > MAX_URL_LENGTH or not _URL_CHARS.fullmatch(text):
        raise ValidationError(MSG_NOT_A_LINK, code="not_a_link")
    parts = urlsplit(text)
    if parts.scheme.lower() != "https":
        raise ValidationError(MSG_NOT_HTTPS, code="not_https")
    host = (parts.hostname or "").lower()
    # Exact host only: no user info ("x.com@evil.example"), no port, no trailing dot, and a
    # look-alike such as "twitter.com.evil.example" is simply not in the table.
    found = _lookup(host) if parts.netloc.lower() == host else None
    if found is None:
        raise ValidationError(
            MSG_UNKNOWN_PROVIDER,
            code="unknown_provider",
            params={"providers": providers_sentence()},
        )
    provider, matcher = found
    query = parse_qs(parts.query, keep_blank_values=True)
    matched = matcher(host, parts.path, query)
    if matched is None:
        raise ValidationError(
            MSG_NOT_A_POST,
            code="not_a_post",
            params={"provider": provider.name, "example": provider.example},
        )
    url, frame_src = matched
    if provider is MASTODON:
        policy = f"https://{host}/privacy-policy"
        return Embed(
            provider, url, frame_src, f"mastodon:{host}", f"Mastodon ({host})", policy, policy
        )
    return Embed(
        provider,
        url,
        frame_src,
        provider.key,
        provider.name,
        provider.privacy_url,
        provider.cookie_url,
    )


def validate_embed_url(value: str) -> None:
    """Model/form field validator."""
    parse_embed_url(value)
