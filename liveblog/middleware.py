"""Middleware of the reader site: the fast path for anonymous readers of cached pages, and
a clear 503 when the database is unavailable."""

import logging
import sys
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
    JsonResponse,
)
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views import defaults

from . import caching, page_store
from .models import LiveBlog

logger = logging.getLogger(__name__)

GetResponse = Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]


class AnonymousPageMiddleware:
    """Serve anonymous GET and HEAD requests for stored reader pages from this process's
    memory (liveblog.page_store), before the session, auth, message and other middleware
    that such a request does not need. First in MIDDLEWARE.

    A request qualifies when it has no session cookie (signed-in users always have one and
    never get the anonymous copy) and its host and path have been rendered for anonymous
    readers before. The blog's current token comes from caching.tokens (Redis, or the
    database with a short TTL): a current If-None-Match is answered 304, a stored copy at
    the current token is served as it was first sent (same headers, same bytes). Anything
    else goes down the stack, and a page rendered there is completed here with its final
    headers. With the database unavailable the last copy is served (stale-if-error).
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        if self.is_async:
            return self.__acall__(request)
        found = _route(request)
        if found is not None:
            route, key = found
            try:
                validators = caching.tokens.peek(route.slug) or caching.tokens.load(route.slug)
            except LiveBlog.DoesNotExist:
                validators = None
            except caching.DATABASE_UNAVAILABLE:
                stale = _stale(key)
                if stale is not None:
                    return stale
                validators = None
            if validators is not None:
                answer = _answer(request, key, validators)
                if answer is not None:
                    return answer
        response = self.get_response(request)
        _complete(request, response)
        return response  # type: ignore[return-value]

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        found = _route(request)
        if found is not None:
            route, key = found
            try:
                # Redis (a loopback round trip, short timeouts, behind the breaker) or this
                # process's memory; the database only when neither knows.
                validators = caching.tokens.peek(route.slug)
                if validators is None:
                    validators = await sync_to_async(caching.tokens.load)(route.slug)
            except LiveBlog.DoesNotExist:
                validators = None
            except caching.DATABASE_UNAVAILABLE:
                stale = _stale(key)
                if stale is not None:
                    return stale
                validators = None
            if validators is not None:
                answer = _answer(request, key, validators)
                if answer is not None:
                    return answer
        response = await self.get_response(request)  # type: ignore[misc]
        _complete(request, response)
        return response


def _route(request: HttpRequest) -> tuple[page_store.Route, page_store.PageKey] | None:
    if request.method not in ("GET", "HEAD"):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None  # SecurityMiddleware redirects it
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    route = page_store.store.route(host, request.path)
    if route is None:
        return None
    return route, page_store.page_key(request, route.params)


def _answer(
    request: HttpRequest, key: page_store.PageKey, validators: "caching.Validators"
) -> HttpResponseBase | None:
    meta = request.META
    if_none_match = meta.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None or "HTTP_IF_MODIFIED_SINCE" in meta:
        if if_none_match == validators.etag:
            return caching.patch_public(HttpResponseNotModified(), validators)
        return None  # the view evaluates the other preconditions
    page = page_store.store.get(key)
    if page is None or page.headers is None or page.validators != validators:
        return None
    return page.response()


def _stale(key: page_store.PageKey) -> HttpResponseBase | None:
    page = page_store.store.get(key)
    if page is None or page.headers is None:
        return None
    return page.response()


def _complete(request: HttpRequest, response: HttpResponseBase) -> None:
    key = getattr(request, "liveblog_page_key", None)
    if key is None or response.status_code != 200 or response.cookies or response.streaming:
        return
    page = page_store.store.get(key)
    if page is None or page.validators.etag != response.headers.get("ETag"):
        return
    headers = tuple(
        (name, value)
        for name, value in response.items()
        if name.lower() not in caching.PER_REQUEST_HEADERS
    )
    page_store.store.complete(key, page.validators, headers)


# The database unavailable ---------------------------------------------------------------------

MSG_DATABASE_UNAVAILABLE = (
    "The database is unavailable for a moment, so nothing was saved. "
    "Please try again in a few seconds."
)
RETRY_AFTER_SECONDS = 5


def database_unavailable_response(request: HttpRequest) -> HttpResponseBase:
    """503 with a message saying what happened and what to do: JSON for the API (its one
    error shape), a plain page otherwise (rendered without the database: no user, no
    session)."""
    if request.path.startswith("/api/"):
        body = {"detail": MSG_DATABASE_UNAVAILABLE, "code": "database_unavailable"}
        response: HttpResponseBase = JsonResponse(body, status=503)
    else:
        html = render_to_string("503.html", {"message": MSG_DATABASE_UNAVAILABLE})
        response = HttpResponse(html, status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def log_database_unavailable(request: HttpRequest, exc: BaseException) -> None:
    # One line, no traceback: the cause is outside this process and the same for every
    # request until the database is back.
    logger.warning(
        "database unavailable: %s %s answered 503 (%s: %s)",
        request.method,
        request.path,
        type(exc).__name__,
        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
    )


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503 with a clear message, never a 500
    page. Each service runs in one transaction, so a write that failed this way changed
    nothing. The API's exception handler does the same for DRF views."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        if not isinstance(exception, caching.DATABASE_UNAVAILABLE):
            return None
        log_database_unavailable(request, exception)
        return database_unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponseBase:
    """handler500: a database error raised outside a view (e.g. saving the session) is a 503
    too; anything else is the usual 500 page."""
    exc = sys.exc_info()[1]
    if isinstance(exc, caching.DATABASE_UNAVAILABLE):
        return database_unavailable_response(request)
    return defaults.server_error(request)
