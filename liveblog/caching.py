"""HTTP caching for what readers fetch: the live page, the feeds and the read API.

The blog's event seq is the truth for caching (ARCHITECTURE.md): every reader-visible change
records an event and so moves `last_seq`, including result corrections, which record an event
for each post that shows the result. So

- validators come from the blog row alone: the ETag from `last_seq` (and `updated_at`, which
  moves when the title or description is edited without an event), Last-Modified from the
  latest of the blog's own change and its latest event;
- a conditional request is answered 304 right after the one query that reads the blog, before
  anything is rendered;
- an anonymous response is rendered once per (blog, seq, page) and then served from Django's
  cache; the key holds the seq, so a change never needs an invalidation, old keys just expire;
- to answer a crowd without touching the database, each server process keeps the blog row
  it last read for LIVEBLOG_SEQ_TTL seconds (default 1): an event or blog save in this process
  drops it; other processes see the new seq within the TTL. That is the staleness
  the CDN's max-age already allows, and live readers get the change pushed anyway;
- anonymous readers get `public` with a short max-age and stale-while-revalidate for a CDN;
  signed-in users (who may see other things, e.g. their own drafts in the API) get
  `private, no-store` and never a cached copy. Both vary on Cookie (and Authorization for
  the API), so no cache hands one kind of response to the other.
"""

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
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

from . import selectors
from .models import LiveBlog, LiveEvent

DEFAULT_SEQ_TTL = 1.0
# Seconds a CDN or browser may reuse a page without asking; live readers get pushes anyway.
DEFAULT_MAX_AGE = 5
DEFAULT_STALE_WHILE_REVALIDATE = 30
# Bump when templates change shape, so a shared cache does not serve pages of the last release.
RENDER_VERSION = "1"


# slug -> (monotonic deadline, blog as selectors.get_blog_for_readers read it)
_snapshots: dict[str, tuple[float, LiveBlog]] = {}


def get_blog_snapshot(slug: str) -> LiveBlog:
    """The blog behind a reader URL as recently read by this process (see the module
    docstring); reads it (one query) when older than LIVEBLOG_SEQ_TTL. Callers only read
    it: the same instance serves concurrent requests. Raises LiveBlog.DoesNotExist."""
    ttl = getattr(settings, "LIVEBLOG_SEQ_TTL", DEFAULT_SEQ_TTL)
    now = time.monotonic()
    if ttl > 0:
        hit = _snapshots.get(slug)
        if hit is not None and hit[0] > now:
            return hit[1]
    blog = selectors.get_blog_for_readers(slug)
    if ttl > 0:
        _snapshots[slug] = (now + ttl, blog)
    return blog


def forget_blog_snapshots() -> None:
    _snapshots.clear()


def _forget_snapshots(**kwargs: Any) -> None:
    # Cache invalidation only (STYLE.md allows signals for that). At save, not at commit (an
    # on_commit callback per event would change what the services hand to on_commit): a
    # request between save and commit may still keep the old row, for at most the TTL.
    forget_blog_snapshots()


post_save.connect(_forget_snapshots, sender=LiveEvent, dispatch_uid="liveblog.caching.event")
post_save.connect(_forget_snapshots, sender=LiveBlog, dispatch_uid="liveblog.caching.blog")


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
    selectors.get_blog_for_readers (for `last_event_at`). Kept on the instance: a snapshot
    serves many requests."""
    cached: Validators | None = blog.__dict__.get("_http_validators")
    if cached is not None:
        return cached
    last_event_at: datetime | None = getattr(blog, "last_event_at", None)
    modified = max(blog.updated_at, last_event_at) if last_event_at else blog.updated_at
    validators = Validators(
        etag=f'"{blog.pk}-{blog.last_seq}-{_micros(blog.updated_at)}"',
        last_modified=int(modified.timestamp()),
    )
    blog.__dict__["_http_validators"] = validators
    return validators


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


def page_cache_key(blog: LiveBlog, *, name: str, host: str, params: dict[str, str]) -> str:
    """Key of one rendered response of `blog`: the seq is part of it, so a new event makes
    every old copy unreachable (they expire with the cache's timeout). The host is part of
    it as pages carry absolute links (canonical URL, feed ids)."""
    query = "&".join(f"{k}={v}" for k, v in [("host", host), *sorted(params.items())] if v)
    digest = hashlib.sha256(query.encode()).hexdigest()[:24] if query else "-"
    return (
        f"liveblog:r{RENDER_VERSION}:{name}:{blog.pk}:{blog.last_seq}:"
        f"{_micros(blog.updated_at)}:{digest}"
    )


BlogView = Callable[..., HttpResponseBase]

# One render per key at a time in this process: when a new seq arrives, the crowd waiting on
# it gets the one copy instead of each request rendering the page (about 50 ms each).
_render_locks: dict[str, threading.Lock] = {}
_render_locks_guard = threading.Lock()
MAX_RENDER_LOCKS = 1000


def _render_lock(key: str) -> threading.Lock:
    with _render_locks_guard:
        lock = _render_locks.get(key)
        if lock is None:
            if len(_render_locks) >= MAX_RENDER_LOCKS:
                # Keys of old seqs; a thread holding one of them keeps its lock object.
                _render_locks.clear()
            lock = _render_locks[key] = threading.Lock()
        return lock


def is_signed_in(request: HttpRequest) -> bool:
    """Whether the request comes from a signed-in user. Readers have no session cookie, and
    then neither the session nor the user is loaded (staff always have one)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return request.user.is_authenticated


def cache_per_seq(*, name: str, params: tuple[str, ...] = ()) -> Callable[[BlogView], BlogView]:
    """Decorate a reader view `view(request, blog, **kwargs)` into `view(request, slug, ...)`.

    Anonymous readers: the blog comes from get_blog_snapshot (no query while it is fresh;
    404 if there is no blog); a conditional request is answered 304 at once; otherwise the
    response is served from the cache or rendered and stored, keyed by the blog's seq,
    `name` and the query `params` the view reads (other parameters do not make new copies).
    Signed-in users: the blog is read afresh and the view rendered every time,
    `private, no-store`.
    """

    def decorator(view: BlogView) -> BlogView:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponseBase:
            staff = is_signed_in(request)
            read_blog = selectors.get_blog_for_readers if staff else get_blog_snapshot
            try:
                blog = read_blog(slug)
            except LiveBlog.DoesNotExist as exc:
                raise Http404("No such live blog.") from exc
            if staff:
                return patch_private(view(request, blog, **kwargs))

            validators = blog_validators(blog)
            not_modified = conditional_response(request, validators)
            if not_modified is not None:
                return not_modified
            key = page_cache_key(
                blog,
                name=name,
                host=request.get_host(),
                params={p: request.GET.get(p, "") for p in params},
            )
            hit = cache.get(key)
            if hit is None:
                with _render_lock(key):
                    hit = cache.get(key)  # rendered by another thread while we waited?
                    if hit is None:
                        response = view(request, blog, **kwargs)
                        if response.status_code != 200:
                            return response
                        if hasattr(response, "render") and callable(response.render):
                            response.render()
                        cache.set(key, (response["Content-Type"], response.content))
                        return patch_public(response, validators)
            content_type, content = hit
            response = HttpResponse(content, content_type=content_type)
            return patch_public(response, validators)

        return wrapper

    return decorator
