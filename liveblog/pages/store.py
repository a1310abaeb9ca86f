"""Rendered reader pages in this process's memory, keyed by host, path and the query
parameters the view reads; each copy carries the validators (blog token) it was rendered at.

liveblog.pages.caching.cache_per_seq puts a page here when it renders one for anonymous readers;
liveblog.middleware.PageStoreMiddleware completes it with the response's final headers
(those the rest of the middleware adds); from then on liveblog.pages.asgi serves it to
anonymous readers while the blog's token is unchanged, in front of Django. A copy is replaced
by the next render of the same page, so the last one stays available when the database is
not (stale-if-error). Least recently used copies go first beyond
LIVEBLOG_PAGE_STORE_ENTRIES (0 switches the store off).
"""

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, QueryDict

if TYPE_CHECKING:
    from liveblog.pages.caching import Validators

DEFAULT_ENTRIES = 500
# Routes are few (blogs, hosts and views); a bound all the same.
MAX_ROUTES = 10_000

# scheme, host, path, values of the view's parameters
PageKey = tuple[str, str, str, tuple[str, ...]]


# A query parameter's allowed values: any other value reads as absent (""), so a reader's
# junk makes no copy of its own (`?order=junk` is the page without `order`).
Choices = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Route:
    """What a stored path is: the blog it shows and the query parameters that matter."""

    slug: str
    params: tuple[str, ...]
    choices: Choices = field(default_factory=dict)

    def values(self, query: QueryDict) -> tuple[str, ...]:
        return param_values(query, self.params, self.choices)


@dataclass
class StoredPage:
    validators: "Validators"
    content_type: str
    body: bytes
    # The response's headers as it left the middleware, encoded for ASGI (None until then).
    headers: list[tuple[bytes, bytes]] | None = None
    # The partner origins the page may be framed by (None: the site's policy); its answers
    # served through Django carry them (liveblog.pages.framing).
    frame_ancestors: tuple[str, ...] | None = None


def param_values(query: QueryDict, params: tuple[str, ...], choices: Choices) -> tuple[str, ...]:
    """The values of `params` in `query` as a page key holds them."""
    values = []
    for name in params:
        value = query.get(name, "")
        allowed = choices.get(name)
        values.append(value if allowed is None or value in allowed else "")
    return tuple(values)


def page_key(request: HttpRequest, route: Route) -> PageKey:
    # Scheme and host are part of the key: pages carry absolute links (canonical URL, feeds).
    # The stubs say scheme may be None; Django's HttpRequest.scheme is always a string.
    return (  # type: ignore[return-value]
        request.scheme,
        request.get_host(),
        request.path,
        route.values(request.GET),
    )


class PageStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: OrderedDict[PageKey, StoredPage] = OrderedDict()
        self._routes: dict[tuple[str, str, str], Route] = {}

    @staticmethod
    def capacity() -> int:
        return getattr(settings, "LIVEBLOG_PAGE_STORE_ENTRIES", DEFAULT_ENTRIES)

    def route(self, scheme: str, host: str, path: str) -> Route | None:
        return self._routes.get((scheme, host, path))

    def get(self, key: PageKey) -> StoredPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: PageKey, route: Route, page: StoredPage) -> None:
        capacity = self.capacity()
        if capacity <= 0:
            return
        with self._lock:
            if len(self._routes) >= MAX_ROUTES:
                self._routes.clear()
            self._routes[key[:3]] = route
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > capacity:
                self._pages.popitem(last=False)

    def complete(
        self, key: PageKey, validators: "Validators", headers: list[tuple[bytes, bytes]]
    ) -> None:
        """Add the final headers to the copy of `key` rendered at `validators`."""
        with self._lock:
            page = self._pages.get(key)
            if page is not None and page.validators == validators and page.headers is None:
                page.headers = headers

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._routes.clear()

    def __len__(self) -> int:
        return len(self._pages)


store = PageStore()
