"""The Django cache on Redis, degrading to per-process memory while Redis is away.

Redis accelerates (ARCHITECTURE.md): it shares the API throttle counts and the blogs' page
tokens (liveblog.pages.caching) between processes. It must never be a dependency of reading or
writing. So every cache call goes to Redis through a circuit breaker:

- closed: calls go to Redis, with short connect and read timeouts (settings OPTIONS);
- a call fails (refused, timed out, reset): the breaker opens, logs ONE warning, and the
  call and every later one is answered by a per-process LocMemCache (throttles count per
  process, tokens are read from the database with a short TTL) without touching Redis, so a
  dead Redis adds no latency to requests;
- after RETRY_AFTER seconds one call (the others keep using memory) tries Redis again: on
  success the breaker closes and logs ONE line saying Redis is back; on failure it stays
  open for another RETRY_AFTER, silently.

What was written to memory while open stays there (counts restart from Redis's copy, which
is what a restarted Redis would hold anyway).
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import EllipsisType
from typing import Any, TypeVar

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("liveblog.redis")

T = TypeVar("T")
# A cache timeout in seconds (None: forever), or `...`: not given, the backend's default.
Timeout = float | None | EllipsisType

DEFAULT_RETRY_AFTER = 5.0
# The errors that mean "Redis is not answering", whatever the cause.
UNAVAILABLE = (RedisError, OSError)


class CircuitBreaker:
    """Whether to try a service now; one warning when it goes away, one when it is back."""

    def __init__(self, name: str, *, retry_after: float = DEFAULT_RETRY_AFTER) -> None:
        self.name = name
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._open_until: float | None = None  # None: closed
        self._probing = False

    @property
    def is_closed(self) -> bool:
        return self._open_until is None

    def should_try(self) -> bool:
        """True when closed, or when open and it is this caller's turn to probe."""
        if self._open_until is None:
            return True
        with self._lock:
            if self._open_until is None:
                return True
            if self._probing or time.monotonic() < self._open_until:
                return False
            self._probing = True
            return True

    def succeeded(self) -> None:
        if self._open_until is None:
            return
        with self._lock:
            was_open = self._open_until is not None
            self._open_until = None
            self._probing = False
        if was_open:
            logger.warning("%s is reachable again; back to normal.", self.name)

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            was_closed = self._open_until is None
            self._open_until = time.monotonic() + self.retry_after
            self._probing = False
        if was_closed:
            logger.warning(
                "%s is unreachable (%s: %s); working without it, retrying every %g s.",
                self.name,
                type(exc).__name__,
                exc,
                self.retry_after,
            )


@dataclass
class _SharedState:
    client: RedisCacheClient
    breaker: CircuitBreaker


# One Redis client (its connection pool) and one breaker per configured cache. Django makes a
# cache instance per thread and, under ASGI, per request context: without sharing, every
# request would open a new connection to Redis and keep a breaker of its own.
_shared_states: dict[str, _SharedState] = {}
_shared_states_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    """RedisCache behind a CircuitBreaker, with a per-process LocMemCache while it is open.

    OPTIONS as RedisCache's (the connection pool's: set short socket timeouts), plus
    RETRY_AFTER (seconds between attempts while Redis is away) and FALLBACK_MAX_ENTRIES.
    """

    # Set by RedisCache.__init__ (django-stubs does not declare them).
    _class: type[RedisCacheClient]
    _servers: list[str]
    _options: dict[str, Any]

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        retry_after = float(options.pop("RETRY_AFTER", DEFAULT_RETRY_AFTER))
        max_entries = int(options.pop("FALLBACK_MAX_ENTRIES", 5000))
        super().__init__(server, {**params, "OPTIONS": options})
        identity = f"{server}|{sorted(options.items())!r}|{retry_after}"
        with _shared_states_lock:
            state = _shared_states.get(identity)
            if state is None:
                state = _shared_states[identity] = _SharedState(
                    client=self._class(self._servers, **self._options),
                    breaker=CircuitBreaker(
                        f"Redis cache at {self._location()}", retry_after=retry_after
                    ),
                )
        self._state = state
        self.breaker = state.breaker
        # LocMemCache instances of one name share their data.
        self.fallback = LocMemCache(
            f"resilient-fallback:{identity}",
            {**params, "OPTIONS": {"MAX_ENTRIES": max_entries}},
        )

    @property
    def _cache(self) -> RedisCacheClient:
        return self._state.client

    def _location(self) -> str:
        # Never log a password: host, port and database only.
        server = self._servers[0] if self._servers else ""
        return server.rsplit("@", 1)[-1]

    @property
    def is_shared(self) -> bool:
        """Whether calls currently reach Redis (so other processes see what is written)."""
        return self.breaker.is_closed

    def _call(self, redis_call: Callable[[], T], fallback_call: Callable[[], T]) -> T:
        if not self.breaker.should_try():
            return fallback_call()
        try:
            result = redis_call()
        except UNAVAILABLE as exc:
            self.breaker.failed(exc)
            return fallback_call()
        self.breaker.succeeded()
        return result

    def ping(self) -> bool:
        """Ask Redis directly (also while the breaker is open): for readiness checks. A
        success closes the breaker, a failure opens it."""
        try:
            self._cache.get_client(write=False).ping()
        except UNAVAILABLE as exc:
            self.breaker.failed(exc)
            return False
        self.breaker.succeeded()
        return True

    def add(self, key: Any, value: Any, timeout: Timeout = ..., version: int | None = None) -> bool:
        kw = _timeout_kw(timeout)
        return self._call(
            lambda: super(ResilientRedisCache, self).add(key, value, version=version, **kw),
            lambda: self.fallback.add(key, value, version=version, **kw),
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call(
            lambda: super(ResilientRedisCache, self).get(key, default, version),
            lambda: self.fallback.get(key, default, version),
        )

    def set(self, key: Any, value: Any, timeout: Timeout = ..., version: int | None = None) -> None:
        kw = _timeout_kw(timeout)
        return self._call(
            lambda: super(ResilientRedisCache, self).set(key, value, version=version, **kw),
            lambda: self.fallback.set(key, value, version=version, **kw),
        )

    def touch(self, key: Any, timeout: Timeout = ..., version: int | None = None) -> bool:
        kw = _timeout_kw(timeout)
        return self._call(
            lambda: super(ResilientRedisCache, self).touch(key, version=version, **kw),
            lambda: self.fallback.touch(key, version=version, **kw),
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call(
            lambda: super(ResilientRedisCache, self).delete(key, version),
            lambda: self.fallback.delete(key, version),
        )

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._call(
            lambda: super(ResilientRedisCache, self).get_many(keys, version),
            lambda: self.fallback.get_many(keys, version),
        )

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call(
            lambda: super(ResilientRedisCache, self).has_key(key, version),
            lambda: self.fallback.has_key(key, version),
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._call(
            lambda: super(ResilientRedisCache, self).incr(key, delta, version),
            lambda: self.fallback.incr(key, delta, version),
        )

    def set_many(
        self, data: dict[Any, Any], timeout: Timeout = ..., version: int | None = None
    ) -> list[Any]:
        kw = _timeout_kw(timeout)
        return self._call(
            lambda: super(ResilientRedisCache, self).set_many(data, version=version, **kw),
            lambda: self.fallback.set_many(data, version=version, **kw),
        )

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        return self._call(
            lambda: super(ResilientRedisCache, self).delete_many(keys, version),
            lambda: self.fallback.delete_many(keys, version),
        )

    def clear(self) -> Any:
        self.fallback.clear()
        return self._call(lambda: super(ResilientRedisCache, self).clear(), lambda: None)


def _timeout_kw(timeout: Timeout) -> dict[str, Any]:
    # `...` stands for "not given": then each backend applies its own default timeout.
    return {} if timeout is ... else {"timeout": timeout}
