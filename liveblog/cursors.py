"""Cursors: an opaque position in a newest-first list of posts (the reader page's `before`,
the API's `cursor`).

A cursor is `<µs since 1970-01-01 UTC>-<post id>`, e.g. `1496969460000000-41`; times before
1970 are negative (`-62135595000000000-40` for a post in year 1). Every time a
DateTimeField can hold (years 1 to 9999) round-trips; anything else, whatever its length or
characters, is InvalidCursor, never another exception.
"""

import re
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Post ids are BigAutoField; a cursor that starts a page with a post holds its id + 1.
MAX_ID = 2**63
# datetime.max is 253402300799999999 µs after the epoch (18 digits), datetime.min is
# -62135596800000000; ids have at most 19 digits. ASCII digits only.
_CURSOR = re.compile(r"(-?[0-9]{1,18})-([0-9]{1,19})")


class InvalidCursor(ValueError):
    pass


def encode_position(when: datetime, pk: int) -> str:
    """The cursor of the position (`when`, `pk`); `when` must be aware."""
    micros = (when - _EPOCH) // _MICROSECOND
    return f"{micros}-{pk}"


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (time, id) a cursor names. Raises InvalidCursor for anything else."""
    match = _CURSOR.fullmatch(cursor) if isinstance(cursor, str) else None
    if match is None:
        raise InvalidCursor(cursor)
    micros, pk = int(match[1]), int(match[2])
    if pk > MAX_ID:
        raise InvalidCursor(cursor)
    try:
        when = _EPOCH + micros * _MICROSECOND
    except OverflowError as exc:
        raise InvalidCursor(cursor) from exc
    return when, pk
