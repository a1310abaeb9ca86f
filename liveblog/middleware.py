"""Middleware of the reader site: completing the stored copies of anonymous pages, and a
clear 503 when the database is unavailable."""

import logging
import sys
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views import defaults

from liveblog.pages import caching
from liveblog.pages import store as page_store

logger = logging.getLogger(__name__)

GetResponse = Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]


class PageStoreMiddleware:
    """Complete each page that cache_per_seq stored for anonymous readers with the headers
    its response leaves Django with (security headers, Vary, Content-Length...), so that
    liveblog.pages.asgi can serve the copy exactly as Django first sent it. First in
    MIDDLEWARE, so that every other middleware has had its say."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self.__acall__(request)
        response = self.get_response(request)
        _complete(request, response)  # type: ignore[arg-type]  # not is_async: a response
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        # is_async: get_response returns an awaitable.
        response: HttpResponseBase = await self.get_response(request)  # type: ignore[misc]
        _complete(request, response)
        return response


def _complete(request: HttpRequest, response: HttpResponseBase) -> None:
    key = getattr(request, "liveblog_page_key", None)
    if key is None or response.status_code != 200 or response.cookies or response.streaming:
        return
    page = page_store.store.get(key)
    if page is None or page.validators.etag != response.headers.get("ETag"):
        return
    headers = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in response.items()
        if name.lower() not in caching.PER_REQUEST_HEADERS
    ]
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
