"""The fast path for anonymous readers: stored pages served in front of Django.

An ASGI application wrapping Django's (config/asgi.py). An anonymous GET or HEAD (no session
cookie: signed-in users always have one and never get the anonymous copy) of a page in
liveblog.pages.store, whose blog's token this process knows without the database
(caching.tokens, in memory for LIVEBLOG_SEQ_TTL), is answered here: 304 for a
current If-None-Match, else the stored copy with the headers it first left Django with.
No request object, no middleware, no thread: under Django's ASGI handler every request
starts threads for its signals, which cost more than the page. Everything else (first
renders, new tokens, signed-in users, other preconditions, the database's answers) goes to
Django, where cache_per_seq renders, validates and serves stale copies when the database is
down.
"""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.http import QueryDict

from liveblog.pages import caching
from liveblog.pages import store as page_store

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class AnonymousPageApp:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            answer = find_answer(scope)
            if answer is not None:
                status, headers, body = answer
                await send({"type": "http.response.start", "status": status, "headers": headers})
                # A HEAD gets the GET's headers (Content-Length included) and no body.
                body = body if scope["method"] == "GET" else b""
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    # The first of repeated headers; only Host, Cookie and the preconditions are read.
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        found.setdefault(name, value)
    return found


def _scheme(scope: Scope, headers: dict[bytes, bytes]) -> str:
    # As HttpRequest.scheme: the trusted proxy's header when set, else the connection's.
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    if proxy_header:
        name, secure_value = proxy_header
        value = headers.get(name.removeprefix("HTTP_").lower().replace("_", "-").encode())
        if value is not None:
            first = value.decode("latin-1").split(",", 1)[0].strip()
            return "https" if first == secure_value else "http"
    return scope.get("scheme") or "http"


def find_answer(scope: Scope) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
    """(status, headers, body) for an anonymous reader of a stored page, or None to let
    Django answer."""
    if settings.USE_X_FORWARDED_HOST:
        return None  # the host Django would see is not simply the Host header
    headers = _headers(scope)
    cookie = headers.get(b"cookie")
    if cookie is not None and settings.SESSION_COOKIE_NAME.encode() + b"=" in cookie:
        return None
    scheme = _scheme(scope, headers)
    if settings.SECURE_SSL_REDIRECT and scheme != "https":
        return None  # SecurityMiddleware redirects it
    host = headers.get(b"host", b"").decode("latin-1")
    # A route exists only for a scheme, host and path Django has validated and rendered.
    route = page_store.store.route(scheme, host, scope["path"])
    if route is None:
        return None
    # Never a socket on the event loop: once the TTL is over, one request goes to Django,
    # whose thread asks Redis or the database, and the token is known here again.
    validators = caching.tokens.peek(route.slug, local_only=True)
    if validators is None:
        return None
    params: tuple[str, ...] = ()
    if route.params:
        params = route.values(QueryDict(scope.get("query_string", b"")))
    page = page_store.store.get((scheme, host, scope["path"], params))
    if page is None or page.headers is None or page.validators != validators:
        return None
    if_none_match = headers.get(b"if-none-match")
    if if_none_match is not None or b"if-modified-since" in headers:
        if if_none_match is not None and if_none_match.decode("latin-1") == validators.etag:
            return 304, _not_modified_headers(validators, page), b""
        return None  # the view evaluates the other preconditions
    return 200, page.headers, page.body


def _not_modified_headers(
    validators: "caching.Validators", page: page_store.StoredPage
) -> list[tuple[bytes, bytes]]:
    # A 304 updates the headers the browser keeps with its copy, so it repeats the copy's
    # policy: an embed's frame-ancestors (liveblog.pages.framing) stays what it was.
    policy = [(name, value) for name, value in page.headers or () if name.lower() in _POLICY]
    return [
        (b"ETag", validators.etag.encode("latin-1")),
        (b"Last-Modified", validators.last_modified_http.encode("latin-1")),
        (b"Cache-Control", caching.public_cache_control().encode("latin-1")),
        (b"Vary", b"Cookie"),
        *policy,
    ]


_POLICY = frozenset({b"content-security-policy", b"x-frame-options"})
