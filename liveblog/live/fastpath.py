"""The two shortcuts the live path takes for speed, kept here and nowhere else.

Each rests on behaviour of the ASGI servers or of CPython that no public API promises;
tests/live/test_fastpath_contract.py checks that behaviour against the installed
versions, so an upgrade that changes it fails there first, not on election night.

1. `send_now`: an ASGI send, started and run as far as it goes without a task.
   uvicorn's sends (while the socket is writable) and Daphne's never suspend, so at fan-out
   most sends finish inline and no task is created per reader per event, the cost that
   dominated fan-out. A send that does suspend is handed back, to be awaited in order.
2. `Collector`: keeps CPython's full garbage collections out of the fan-out. Tens of
   thousands of long-lived connection objects make a full collection pause the loop for
   hundreds of milliseconds; `gc.freeze()` moves them out of the collector's way. Frozen
   objects are never collected, though, and a closed connection leaves a cycle of them
   behind (about 21 KB), so the collector also unfreezes and collects once enough readers
   have left, at a moment the hub chooses (after a heartbeat, or when nobody reads).
"""

import gc
import logging
from collections.abc import Awaitable, Callable, Coroutine, Generator
from types import CoroutineType
from typing import Any

logger = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]


def send_now(send: Send, message: dict[str, Any]) -> Awaitable[None] | None:
    """Start `send(message)` and run it until it finishes or first waits.

    Returns None when the send is done, or an awaitable that completes it: await it (or
    wrap it in a task) before anything else is sent on that socket. Exceptions of the
    send's first step (a closed socket) propagate.
    """
    coro = send(message)
    if type(coro) is not CoroutineType:  # the type check is the cheap one, per reader per event
        return coro if isinstance(coro, Awaitable) else None
    try:
        waiting_on = coro.send(None)
    except StopIteration:
        return None
    return _Rest(coro, waiting_on)


class _Rest:
    """The rest of a send coroutine that yielded `waiting_on` to its (absent) task.

    Awaiting it hands `waiting_on` to the awaiting task, exactly as `await coro` would
    have, and forwards what the task sends or throws back into the coroutine.
    """

    __slots__ = ("_coro", "_waiting_on")

    def __init__(self, coro: Coroutine[Any, Any, None], waiting_on: Any) -> None:
        self._coro = coro
        self._waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, None]:
        coro, value = self._coro, self._waiting_on
        self._waiting_on = None
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # cancellation included: the send sees it
                try:
                    value = coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    value = coro.send(sent)
                except StopIteration:
                    return


class Collector:
    """Freezes long-lived connection objects, and collects what closed ones leave behind.

    `joined()` and `left()` are called per reader; `collect_if_due()` at a moment when a
    pause of a full collection hurts least. Thresholds are counts of readers.
    """

    def __init__(self, *, freeze_every: int = 500, collect_after: int = 256) -> None:
        self.freeze_every = freeze_every
        self.collect_after = collect_after
        self._joined = 0
        self._left = 0

    def joined(self) -> None:
        self._joined += 1
        if self._joined % self.freeze_every == 0:
            # A young collection first (cheap: only recent objects), so the handshakes'
            # short-lived cycles are freed rather than frozen.
            gc.collect(1)
            gc.freeze()

    def left(self) -> None:
        self._left += 1

    @property
    def garbage_pending(self) -> int:
        """Readers that left since the last collection (their objects may be frozen)."""
        return self._left

    def collect_if_due(self, *, readers: int, force: bool = False) -> bool:
        """Unfreeze, collect and freeze what survives, when enough readers left since the
        last time (`collect_after`, or a twentieth of those still here), or when `force`d
        and any left. Returns whether it collected."""
        due = max(self.collect_after, readers // 20)
        if self._left == 0 or (self._left < due and not force):
            return False
        self._left = 0
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        return True
