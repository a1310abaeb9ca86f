"""The API's JSON parser: refuses bodies that are too large or nested too deeply.

Python's json module recurses once per level of nesting, so `[` repeated a few thousand
times raises RecursionError (a 500). Our requests are two levels deep; anything deeper than
MAX_JSON_DEPTH is refused with a 400 before json ever sees it.
"""

import re
from typing import Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.utils import json

# A post is a few kilobytes of JSON; anything far larger is refused before it is read.
DEFAULT_MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32

MSG_TOO_DEEP = (
    f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep; send an object of fields "
    "as the API documentation shows."
)

# Strings (whose brackets do not count) or a bracket; the unrolled form never backtracks.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "too_large"


def refuse_larger_than(request: Request, limit: int, what: str) -> None:
    """413 from the declared length, before anything is read (DRF reads JSON bodies whole,
    without Django's DATA_UPLOAD_MAX_MEMORY_SIZE check)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise PayloadTooLarge(f"{what} is {length:,} bytes; the limit is {limit:,} bytes.")


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than `limit`; stops at the first
    level past it, so the cost is bounded by the body size."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


class LimitedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        limit = getattr(settings, "LIVEBLOG_API_MAX_JSON_BYTES", DEFAULT_MAX_JSON_BYTES)
        request = parser_context.get("request")
        if request is not None:
            refuse_larger_than(request, limit, "This request")
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            # A body without a (truthful) Content-Length.
            raise PayloadTooLarge(f"This request is over the limit of {limit:,} bytes.")
        try:
            "".encode(encoding)  # refuses unknown and bytes-to-bytes codecs (bz2_codec)
        except (LookupError, UnicodeError) as exc:
            raise exceptions.ParseError(f"Unsupported charset “{encoding}”.") from exc
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(f"The body is not valid {encoding}.") from exc
        if json_depth_exceeds(text, MAX_JSON_DEPTH):
            raise exceptions.ParseError(MSG_TOO_DEEP)
        try:
            if self.strict:
                return json.loads(text)
            return json.loads(text, parse_constant=None)
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(f"JSON parse error: {exc}") from exc
