"""Health endpoints for the image's HEALTHCHECK, compose and nginx.

- /healthz, liveness: the process answers. It touches nothing (no database, cache or
  session), so a database or Redis outage never gets a healthy process restarted.
- /readyz, readiness: the database and Redis are reachable. JSON naming each check, its
  state and the time it took; 503 when the database is down (this process cannot serve
  writes or uncached pages), 200 with `"degraded": true` when only Redis is (pages, API and
  writes still work; push between processes and shared throttles wait for it).
"""

import time
from typing import Any

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from liveblog.resilient_cache import UNAVAILABLE, ResilientRedisCache

REDIS_PING_TIMEOUT = 0.5

UP, DOWN, NOT_CONFIGURED = "up", "down", "not configured"


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("ok\n", content_type="text/plain")
    add_never_cache_headers(response)
    return response


def _timed(check: Any) -> dict[str, Any]:
    start = time.perf_counter()
    state, error = check()
    result: dict[str, Any] = {
        "state": state,
        "ms": round((time.perf_counter() - start) * 1000, 2),
    }
    if error:
        result["error"] = error
    return result


def _error(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def check_database() -> tuple[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return DOWN, _error(exc)
    return UP, ""


def check_cache_redis() -> tuple[str, str]:
    backend = caches["default"]
    if not isinstance(backend, ResilientRedisCache):
        return NOT_CONFIGURED, ""
    # A real ping, breaker or not: a success also closes the breaker.
    return (UP, "") if backend.ping() else (DOWN, "no answer within the timeout")


def check_channel_layer_redis() -> tuple[str, str]:
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return NOT_CONFIGURED, ""
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_PING_TIMEOUT, socket_timeout=REDIS_PING_TIMEOUT
    )
    try:
        client.ping()
    except UNAVAILABLE as exc:
        return DOWN, _error(exc)
    finally:
        client.close()
    return UP, ""


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _timed(check_database), "redis": _timed(check_cache_redis)}
    if getattr(settings, "REDIS_URL", "") != getattr(settings, "REDIS_CACHE_URL", ""):
        checks["channel_layer_redis"] = _timed(check_channel_layer_redis)
    database_up = checks["database"]["state"] == UP
    degraded = any(c["state"] == DOWN for name, c in checks.items() if name != "database")
    status = "ok" if database_up and not degraded else "degraded" if database_up else "down"
    response = JsonResponse(
        {"status": status, "degraded": degraded, "checks": checks},
        status=200 if database_up else 503,
    )
    add_never_cache_headers(response)
    return response
