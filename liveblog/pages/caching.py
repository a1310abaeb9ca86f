"""HTTP caching for what readers fetch: the live page, the feeds and the read API.

The blog's event seq is the truth for caching (ARCHITECTURE.md): every reader-visible change
records an event and so moves `last_seq`, including result corrections, which record an event
for each post that shows the result. So

- validators come from the blog row alone: the ETag from `last_seq` (and `updated_at`, which
  moves when the title or description is edited without an event), Last-Modified from the
  latest of the blog's own change and its latest event;
- a conditional request is answered 304 as soon as the blog's token (its validators) is
  known, before anything is rendered;
- an anonymous response is rendered once per (blog token, page) and kept in this process's
  memory (liveblog.pages.store), from where liveblog.pages.asgi serves it in front of Django;
  a copy carries its token, so a change needs no invalidation of pages, only of tokens;
- to answer a crowd without touching the database, each process keeps a blog's token for
  LIVEBLOG_SEQ_TTL seconds (default 1; an event or blog save in this process drops it), then
  asks Redis, where writers delete it at commit, or else the database (BlogTokens). Other
  processes see a change within the TTL: the staleness the CDN's max-age already allows,
  and live readers get the change pushed anyway. With the database unavailable the last
  copy is served (stale-if-error);
- anonymous readers get `public` with a short max-age and stale-while-revalidate for a CDN;
  signed-in users (who may see other things, e.g. their own drafts in the API) get
  `private, no-store` and never a cached copy. Both vary on Cookie (and Authorization for
  the API), so no cache hands one kind of response to the other.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError, transaction
from django.db.models.signals import post_save
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
)
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from liveblog import selectors
from liveblog.models import LiveBlog, LiveEvent
from liveblog.pages import framing
from liveblog.pages import store as page_store
from liveblog.pages.store import PageKey
from liveblog.resilient_cache import ResilientRedisCache

DEFAULT_SEQ_TTL = 1.0
# Seconds a CDN or browser may reuse a page without asking; live readers get pushes anyway.
DEFAULT_MAX_AGE = 5
DEFAULT_STALE_WHILE_REVALIDATE = 30
# Seconds a blog's token lives in Redis: writers delete it at commit, so this only bounds how
# long a token written before a Redis outage could outlive a change made during it.
SHARED_TOKEN_TTL = 10
# Headers of one response that must not be replayed to the next reader.
PER_REQUEST_HEADERS = frozenset({"date", "server", "set-cookie", "x-request-id"})
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


@dataclass(frozen=True)
class Validators:
    etag: str  # quoted, strong
    last_modified: int  # seconds since the epoch

    @cached_property
    def last_modified_http(self) -> str:
        return http_date(self.last_modified)


def _micros(value: datetime) -> int:
    return int(value.timestamp() * 1_000_000)


def blog_validators(blog: LiveBlog) -> Validators:
    """ETag and Last-Modified of everything readers see of `blog`. Needs a blog read with
    selectors.get_blog_for_readers (for `last_event_at`). Cheap; `tokens` keeps the result
    for the crowd."""
    last_event_at: datetime | None = getattr(blog, "last_event_at", None)
    modified = max(blog.updated_at, last_event_at) if last_event_at else blog.updated_at
    return Validators(
        etag=f'"{blog.pk}-{blog.last_seq}-{_micros(blog.updated_at)}"',
        last_modified=int(modified.timestamp()),
    )


def blog_list_validators(state: selectors.BlogListState) -> Validators:
    changed = state.last_changed
    micros = _micros(changed) if changed else 0
    return Validators(
        etag=f'"blogs-{state.count}-{state.seq_total}-{micros}"',
        last_modified=int(changed.timestamp()) if changed else 0,
    )


def public_cache_control() -> str:
    max_age = getattr(settings, "LIVEBLOG_CACHE_MAX_AGE", DEFAULT_MAX_AGE)
    stale = getattr(settings, "LIVEBLOG_STALE_WHILE_REVALIDATE", DEFAULT_STALE_WHILE_REVALIDATE)
    return f"public, max-age={max_age}, stale-while-revalidate={stale}"


def patch_public(
    response: HttpResponseBase, validators: Validators, *, vary: Iterable[str] = ("Cookie",)
) -> HttpResponseBase:
    """Headers for a response any reader (and a CDN) may share."""
    headers = response.headers
    headers["ETag"] = validators.etag
    headers["Last-Modified"] = validators.last_modified_http
    headers["Cache-Control"] = public_cache_control()
    if "Vary" in headers:
        patch_vary_headers(response, tuple(vary))
    else:
        headers["Vary"] = ", ".join(vary)
    return response


def patch_private(
    response: HttpResponseBase, *, vary: Iterable[str] = ("Cookie",)
) -> HttpResponseBase:
    """Headers for a response meant for one signed-in user: never stored anywhere."""
    add_never_cache_headers(response)
    patch_vary_headers(response, tuple(vary))
    return response


def conditional_response(
    request: HttpRequest, validators: Validators, *, vary: Iterable[str] = ("Cookie",)
) -> HttpResponseBase | None:
    """304 (or 412) when the request's validators match, with the headers a cache needs to
    refresh its copy; None when the full response is wanted."""
    meta = request.META
    if_none_match = meta.get("HTTP_IF_NONE_MATCH")
    # The two common cases without Django's full RFC 9110 evaluation: a reader (or CDN)
    # revalidating its current copy, and a request with no preconditions at all.
    if if_none_match == validators.etag and request.method in ("GET", "HEAD"):
        return patch_public(HttpResponseNotModified(), validators, vary=vary)
    if not (
        if_none_match
        or "HTTP_IF_MODIFIED_SINCE" in meta
        or "HTTP_IF_MATCH" in meta
        or "HTTP_IF_UNMODIFIED_SINCE" in meta
    ):
        return None
    response = get_conditional_response(
        request, etag=validators.etag, last_modified=validators.last_modified
    )
    if response is not None and response.status_code == 304:
        patch_public(response, validators, vary=vary)
    return response


# The blog's token: the validators of what readers may see now -------------------------------


def _token_key(slug: str) -> str:
    return f"liveblog:token:{slug}"


class BlogTokens:
    """The current validators of each blog, as cheaply as this process can know them.

    Kept in this process for LIVEBLOG_SEQ_TTL seconds (a change saved in this process drops
    them at once), so a cached hit costs a dictionary lookup. Then asked again: of Redis when
    the cache is on a reachable Redis (liveblog.resilient_cache), where writers delete the
    token when they commit, so every process sees a change within the TTL without a query;
    of the database (one query) when Redis does not know it (and the answer is added there
    for every process), or when there is no Redis or it is away.
    """

    def __init__(self) -> None:
        self._local: dict[str, tuple[float, Validators]] = {}
        self._shared: ResilientRedisCache | bool | None = False  # False: not looked up yet

    def shared_cache(self) -> ResilientRedisCache | None:
        if self._shared is False:
            backend = caches["default"]
            self._shared = backend if isinstance(backend, ResilientRedisCache) else None
        return self._shared  # type: ignore[return-value]

    def peek(self, slug: str, *, local_only: bool = False) -> Validators | None:
        """The blog's validators if known without the database, else None. `local_only`:
        without asking Redis either (for the event loop, which must not wait on a socket)."""
        now = time.monotonic()
        hit = self._local.get(slug)
        if hit is not None and hit[0] > now:
            return hit[1]
        if local_only:
            return None
        shared = self.shared_cache()
        if shared is not None:
            value = shared.get(_token_key(slug))
            if value is not None:
                validators = Validators(*value)
                self._keep(slug, validators, now)
                return validators
        return None

    def _keep(self, slug: str, validators: Validators, now: float) -> None:
        ttl = getattr(settings, "LIVEBLOG_SEQ_TTL", DEFAULT_SEQ_TTL)
        if ttl > 0:
            self._local[slug] = (now + ttl, validators)

    def load(self, slug: str) -> Validators:
        """Read the blog (one query). Raises LiveBlog.DoesNotExist, or a database error."""
        return self.observe(selectors.get_blog_for_readers(slug))

    def observe(self, blog: LiveBlog) -> Validators:
        """Note the validators of `blog` as just read from the database."""
        validators = blog_validators(blog)
        shared = self.shared_cache()
        if shared is not None and shared.is_shared:
            # Add, never overwrite: a writer may have committed (and deleted the token)
            # since this row was read.
            shared.add(
                _token_key(blog.slug),
                (validators.etag, validators.last_modified),
                SHARED_TOKEN_TTL,
            )
        self._keep(blog.slug, validators, time.monotonic())
        return validators

    def forget(self) -> None:
        self._local.clear()

    def forget_shared(self, slug: str) -> None:
        shared = self.shared_cache()
        if shared is not None:
            shared.delete(_token_key(slug))

    def reset(self) -> None:
        self._local.clear()
        self._shared = False


tokens = BlogTokens()


def _forget_tokens(sender: type, instance: LiveEvent | LiveBlog, **kwargs: Any) -> None:
    # Cache invalidation only (STYLE.md allows signals for that). The local token at save (a
    # request in this process between save and commit may keep the old one, for at most the
    # TTL); the shared one at commit, or other processes could read the old row back into it.
    tokens.forget()
    if tokens.shared_cache() is not None:
        slug = instance.blog.slug if isinstance(instance, LiveEvent) else instance.slug
        transaction.on_commit(lambda: tokens.forget_shared(slug), robust=True)


def _reset_tokens(setting: str, **kwargs: Any) -> None:
    if setting == "CACHES":
        tokens.reset()


post_save.connect(_forget_tokens, sender=LiveEvent, dispatch_uid="liveblog.pages.caching.event")
post_save.connect(_forget_tokens, sender=LiveBlog, dispatch_uid="liveblog.pages.caching.blog")
setting_changed.connect(_reset_tokens, dispatch_uid="liveblog.pages.caching.settings")


# Rendered pages -------------------------------------------------------------------------------

# A reader view, view(request, blog, **kwargs): a whole response (stored pages keep its content).
BlogView = Callable[..., HttpResponse]


class RenderLocks:
    """One render of a page at a time in this process: when a new seq arrives, the crowd
    waiting on it gets the one copy instead of each request rendering the page (about 50 ms
    each). A lock per page key; the `limit` least recently used idle ones are kept (the
    query strings readers send are theirs to vary), a held one is never dropped."""

    def __init__(self, *, limit: int = 1000) -> None:
        self.limit = limit
        self._locks: OrderedDict[PageKey, threading.Lock] = OrderedDict()
        self._guard = threading.Lock()

    def __len__(self) -> int:
        return len(self._locks)

    def for_page(self, key: PageKey) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(key)
            if lock is not None:
                self._locks.move_to_end(key)
                return lock
            lock = self._locks[key] = threading.Lock()
            if len(self._locks) > self.limit:
                idle = [k for k, held in self._locks.items() if k != key and not held.locked()]
                for old in idle[: len(self._locks) - self.limit]:
                    del self._locks[old]
            return lock


render_locks = RenderLocks()


def is_signed_in(request: HttpRequest) -> bool:
    """Whether the request comes from a signed-in user. Readers have no session cookie, and
    then neither the session nor the user is loaded (staff always have one)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return request.user.is_authenticated


FramedBy = Callable[[LiveBlog], Sequence[str]]


def cache_per_seq(
    *,
    name: str,
    params: tuple[str, ...] = (),
    choices: page_store.Choices | None = None,
    framed_by: FramedBy | None = None,
) -> Callable[[BlogView], Callable[..., HttpResponseBase]]:
    """Decorate a reader view `view(request, blog, **kwargs)` into `view(request, slug, ...)`.

    Anonymous readers: the blog's token comes from `tokens` (no query within the TTL),
    else the blog is read (one query; 404 if there is none); a conditional request is
    answered 304 at once; otherwise the response is rendered once per blog token and page
    and kept in this process's page store (liveblog.pages.store), keyed by scheme, host,
    path and the query `params` the view reads (other parameters make no new copies; a
    parameter in `choices` with a value not listed there is keyed as absent, so the view must
    read it so too), from which liveblog.pages.asgi serves the next readers in front of
    Django. With the database unavailable, the last copy of the page is served
    (stale-if-error).
    Signed-in users: the blog is read afresh and the view rendered every time,
    `private, no-store`. `name` names the view in render locks and logs.

    `framed_by`: the partner origins that may frame the page, from the blog row
    (liveblog.pages.framing); every answer carries them in frame-ancestors, 304s and stored
    copies included. They change only with the row, so with the token: a copy keeps the
    origins it was rendered with, and without a current copy the row is read for them.
    """

    def decorator(view: BlogView) -> Callable[..., HttpResponseBase]:
        def origins_of(blog: LiveBlog) -> tuple[str, ...] | None:
            return tuple(framed_by(blog)) if framed_by is not None else None

        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponseBase:
            if is_signed_in(request):
                blog = _read_blog(slug)
                response = patch_private(view(request, blog, **kwargs))
                return framing.allow_framing(response, origins_of(blog))

            route = page_store.Route(slug=slug, params=params, choices=choices or {})
            key = page_store.page_key(request, route)
            try:
                # Within LIVEBLOG_SEQ_TTL (or from Redis) without a query.
                known = tokens.peek(slug)
                if known is not None:
                    page = _current_copy(key, known)
                    if page is not None or framed_by is None:
                        origins = page.frame_ancestors if page is not None else None
                        answer = _answer(request, known, page, origins)
                        if answer is not None:
                            return answer
                blog = _read_blog(slug)
                validators = tokens.observe(blog)
                origins = origins_of(blog)
                answer = _answer(request, validators, _current_copy(key, validators), origins)
                if answer is not None:
                    return answer
                with render_locks.for_page(key):
                    page = _current_copy(key, validators)  # rendered while we waited?
                    if page is not None:
                        return _response_from(page)
                    response = framing.allow_framing(view(request, blog, **kwargs), origins)
                    if response.status_code != 200:
                        return response
                    if hasattr(response, "render") and callable(response.render):
                        response.render()
                    patch_public(response, validators)
                    page_store.store.put(
                        key,
                        route,
                        page_store.StoredPage(
                            validators=validators,
                            content_type=response["Content-Type"],
                            body=response.content,
                            frame_ancestors=origins,
                        ),
                    )
                    # AnonymousPageMiddleware completes the copy with the final headers.
                    request.liveblog_page_key = key  # type: ignore[attr-defined]
                    return response
            except DATABASE_UNAVAILABLE:
                stale = page_store.store.get(key)
                if stale is None:
                    raise
                return _response_from(stale)

        return wrapper

    return decorator


def _current_copy(key: PageKey, validators: Validators) -> page_store.StoredPage | None:
    page = page_store.store.get(key)
    return page if page is not None and page.validators == validators else None


def _answer(
    request: HttpRequest,
    validators: Validators,
    page: page_store.StoredPage | None,
    origins: tuple[str, ...] | None,
) -> HttpResponseBase | None:
    """304 (or 412) for the request's preconditions, else the current copy, else None."""
    not_modified = conditional_response(request, validators)
    if not_modified is not None:
        # A 304 updates the headers a browser stored with its copy: it carries the policy.
        return framing.allow_framing(not_modified, origins)
    if page is not None:
        return _response_from(page)
    return None


def _response_from(page: page_store.StoredPage) -> HttpResponse:
    # Inside the middleware stack: the rest of the middleware adds its headers as usual.
    response = HttpResponse(page.body, content_type=page.content_type)
    patch_public(response, page.validators)
    framing.allow_framing(response, page.frame_ancestors)
    return response


def _read_blog(slug: str) -> LiveBlog:
    try:
        return selectors.get_blog_for_readers(slug)
    except LiveBlog.DoesNotExist as exc:
        raise Http404("No such live blog.") from exc
