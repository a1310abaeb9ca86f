"""How many live readers each blog has now, across every server process, and its peak.

Approximate by design. Each process's hub reports its own readers per blog every
LIVE_READER_COUNT_SECONDS (a periodic task of the hub: nothing per connection or per message)
to a board; a count shown is the sum of the processes' latest reports, so it lags by up to
one interval, and a process that stopped or died still counts for up to ENTRY_TTL.

The board, with Redis (LIVE_READER_COUNTS_URL, by default the push's REDIS_URL): a hash per
blog, `liveblog-readers:<blog id>`, one field per process, valued "<count> <unix time>". An
entry older than ENTRY_TTL is ignored, and removed by the next publisher that sees it; a hash
nobody refreshes expires. Entries carry the publisher's clock, so hosts' clocks must agree
to within seconds (NTP does far better). Without Redis (`make run`: one process serves the
page, the socket and the admin) the board is this process's memory (`local_board`).

The peak is the highest total a publisher saw for the blog since the blog was created: a
live blog covers one night, which a calendar day would split at midnight. It is kept in the
database (services.blogs.record_reader_peak), so it survives a Redis restart.

With Redis away the admin shows the count as unknown (a circuit breaker keeps a dead Redis
from slowing its pages), hubs log one warning and go on serving readers, and the peak waits
for totals to be known again.
"""

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import redis
import redis.asyncio
from channels.db import database_sync_to_async
from django.conf import settings

from liveblog.resilient_cache import UNAVAILABLE, CircuitBreaker
from liveblog.services.blogs import record_reader_peak

logger = logging.getLogger(__name__)

KEY_PREFIX = "liveblog-readers:"
# Seconds a call to Redis may take: a report is skipped, a count shown as unknown.
REDIS_TIMEOUT = 0.5


def interval() -> float:
    return float(getattr(settings, "LIVE_READER_COUNT_SECONDS", 5.0))


def entry_ttl() -> float:
    """How long a process's report counts: three intervals, so one late report is no gap."""
    return 3 * interval()


def _key(blog_id: int) -> str:
    return f"{KEY_PREFIX}{blog_id}"


def _encode(count: int, at: float) -> str:
    return f"{count} {at:.3f}"


def _decode(value: bytes | str) -> tuple[int, float] | None:
    text = value.decode() if isinstance(value, bytes) else value
    try:
        count, at = text.split()
        return int(count), float(at)
    except ValueError:
        return None


def _live_total(entries: dict[Any, Any], *, now: float) -> tuple[int, list[Any]]:
    """The sum of the entries reported within ENTRY_TTL, and the fields of the others."""
    total, stale = 0, []
    oldest = now - entry_ttl()
    for field, value in entries.items():
        decoded = _decode(value)
        if decoded is None or decoded[1] < oldest:
            stale.append(field)
        else:
            total += decoded[0]
    return total, stale


class LocalBoard:
    """The board in this process's memory, for a site without Redis (one process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, dict[str, str]] = {}

    def publish(
        self, process: str, counts: dict[int, int], *, withdrawn: Iterable[int], now: float
    ) -> dict[int, int]:
        with self._lock:
            for blog_id in withdrawn:
                self._entries.get(blog_id, {}).pop(process, None)
            totals = {}
            for blog_id, count in counts.items():
                entries = self._entries.setdefault(blog_id, {})
                entries[process] = _encode(count, now)
                totals[blog_id], stale = _live_total(entries, now=now)
                for field in stale:
                    del entries[field]
            return totals

    def totals(self, blog_ids: Iterable[int], *, now: float) -> dict[int, int]:
        with self._lock:
            return {
                blog_id: _live_total(dict(self._entries.get(blog_id, {})), now=now)[0]
                for blog_id in blog_ids
            }

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


local_board = LocalBoard()


def _redis_url() -> str:
    return getattr(settings, "LIVE_READER_COUNTS_URL", "")


# Reading: the admin ------------------------------------------------------------------------


class RedisReadBoard:
    """The admin's side of the Redis board: one pipeline for any number of blogs, behind a
    circuit breaker so a dead Redis costs one short timeout per retry period."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
        host = url.rsplit("@", 1)[-1]  # never log a password
        self.breaker = CircuitBreaker(f"Redis for reader counts at {host}")

    def totals(self, blog_ids: list[int], *, now: float) -> dict[int, int] | None:
        if not self.breaker.should_try():
            return None
        try:
            pipe = self.client.pipeline(transaction=False)
            for blog_id in blog_ids:
                pipe.hgetall(_key(blog_id))
            results = pipe.execute()
        except UNAVAILABLE as exc:
            self.breaker.failed(exc)
            return None
        self.breaker.succeeded()
        return {
            blog_id: _live_total(entries, now=now)[0]
            for blog_id, entries in zip(blog_ids, results, strict=True)
        }


@cache
def redis_read_board(url: str) -> RedisReadBoard:
    """One client (its connection pool) and one breaker per URL, for the whole process."""
    return RedisReadBoard(url)


def get_reader_counts(blog_ids: Iterable[int]) -> dict[int, int] | None:
    """Live readers of each blog, summed over the server processes; None when Redis is
    unavailable and the counts are unknown."""
    ids = sorted(set(blog_ids))
    url = _redis_url()
    if not url:
        return local_board.totals(ids, now=time.time())
    if not ids:
        return {}
    return redis_read_board(url).totals(ids, now=time.time())


# Reporting: each process's hub -----------------------------------------------------------------


@dataclass
class _Outage:
    what: str
    down: bool = False

    def failed(self, exc: BaseException) -> None:
        if not self.down:
            self.down = True
            logger.warning(
                "reader counts: %s unreachable (%s: %s); readers are served as usual, "
                "counts resume when it answers",
                self.what,
                type(exc).__name__,
                exc,
            )

    def ok(self) -> None:
        if self.down:
            self.down = False
            logger.warning("reader counts: %s is back", self.what)


class Census:
    """One hub's reports of its readers per blog, and the peaks they reveal.

    `report` is called by the hub's periodic task; it never raises (but cancellation).
    """

    def __init__(self, process_id: str | None = None) -> None:
        # One id per hub (a process runs one); a restarted process is a new one.
        self.process_id = process_id or uuid.uuid4().hex[:16]
        self._reported: set[int] = set()
        # Per blog, a total the database's peak is known to be at least.
        self._peak_floor: dict[int, int] = {}
        self._client: redis.asyncio.Redis | None = None
        self._client_url = ""
        self.redis_outage = _Outage("Redis")
        self.database_outage = _Outage("database")

    async def report(self, counts: dict[int, int]) -> dict[int, int] | None:
        """Publish `counts` (this process's readers per blog); return the totals over all
        processes, or None when they are unknown (Redis away)."""
        now = time.time()
        withdrawn = self._reported - set(counts)
        try:
            totals = await self._publish(counts, withdrawn=withdrawn, now=now)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.redis_outage.failed(exc)
            return None
        self.redis_outage.ok()
        self._reported = set(counts)
        await self._record_peaks(totals, at=now)
        return totals

    async def _publish(
        self, counts: dict[int, int], *, withdrawn: set[int], now: float
    ) -> dict[int, int]:
        url = _redis_url()
        if not url:
            return local_board.publish(self.process_id, counts, withdrawn=withdrawn, now=now)
        client = self._redis(url)
        pipe = client.pipeline(transaction=False)
        ttl = max(1, round(entry_ttl()))
        for blog_id, count in counts.items():
            key = _key(blog_id)
            pipe.hset(key, self.process_id, _encode(count, now))
            pipe.expire(key, ttl)
            pipe.hgetall(key)
        for blog_id in withdrawn:
            pipe.hdel(_key(blog_id), self.process_id)
        results = await asyncio.wait_for(pipe.execute(), REDIS_TIMEOUT * 2)
        totals, prune = {}, client.pipeline(transaction=False)
        pruning = False
        for index, blog_id in enumerate(counts):
            totals[blog_id], stale = _live_total(results[index * 3 + 2], now=now)
            if stale:
                prune.hdel(_key(blog_id), *stale)
                pruning = True
        if pruning:
            # Processes gone for good (a deploy, a crash): their fields would linger while
            # others keep the hash alive.
            await asyncio.wait_for(prune.execute(), REDIS_TIMEOUT * 2)
        return totals

    async def close(self) -> None:
        """Close the Redis connections (when the hub stops following blogs)."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def _redis(self, url: str) -> "redis.asyncio.Redis":
        # The client belongs to the hub's event loop (its connections do), as the hub does.
        if self._client is None or self._client_url != url:
            self._client = redis.asyncio.Redis.from_url(
                url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
            )
            self._client_url = url
        return self._client

    async def _record_peaks(self, totals: dict[int, int], *, at: float) -> None:
        higher = {
            blog_id: total
            for blog_id, total in totals.items()
            if total > self._peak_floor.get(blog_id, 0)
        }
        if not higher:
            return
        try:
            await _record_reader_peaks(higher, at=datetime.fromtimestamp(at, tz=UTC))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.database_outage.failed(exc)
            return
        self.database_outage.ok()
        self._peak_floor.update(higher)


@database_sync_to_async
def _record_reader_peaks(peaks: dict[int, int], *, at: datetime) -> None:
    for blog_id, readers in peaks.items():
        record_reader_peak(blog_id, readers=readers, at=at)
