"""Logs, request ids, the access log, WebSocket counters and the error-reporting hook.

One place decides what a log line looks like, under Daphne (`make run`) and uvicorn
(production) alike:

- `LOG_FORMAT=json` (production): one JSON object per line; a traceback is one field.
  `plain` (the default, `make run`): readable text.
- Every HTTP request gets a request id: a sane `X-Request-ID` from the proxy is kept,
  anything else is replaced by a fresh one. It is on every log line written while the
  request runs and in the response's `X-Request-ID` header.
- `RequestLogApp` (the outermost ASGI layer) writes one access line per request (method,
  path, status, duration, request id); the servers' own access logs are switched off.
- WebSocket connects and closes are counted, not logged: one summary line per interval.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime
import json
import logging
import re
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from the proxy: short, no spaces or quotes, so it cannot forge a log line.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@-]{8,128}")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

access_logger = logging.getLogger("liveblog.access")
# Health probes arrive every few seconds from every checker: logged only when they fail.
QUIET_PATHS = frozenset({"/healthz", "/healthz/", "/readyz", "/readyz/"})
websocket_logger = logging.getLogger("liveblog.websockets")


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(incoming: str | None) -> str:
    """The proxy's request id when it looks like one, else a new one."""
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return new_request_id()


# --- Log records ---------------------------------------------------------------------------

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
}


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or None) on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, extras, exc."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """Readable text for `make run`: the request id's first 8 characters when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s%(request_tag)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request_tag = f" [{request_id[:8]}]" if request_id else ""
        return super().format(record)


class ServerChatterFilter(logging.Filter):
    """Drops uvicorn's per-connection WebSocket lines; liveblog.websockets counts them."""

    _CHATTER = re.compile(r'^(connection (open|closed)|%s - "WebSocket %s" )')

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno <= logging.INFO
            and isinstance(record.msg, str)
            and self._CHATTER.match(record.msg)
        )


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING setting: one console handler, JSON or plain, for Django and the servers."""
    formatter = "json" if log_format == "json" else "plain"
    server = {"handlers": ["console"], "level": "INFO", "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "server_chatter": {"()": ServerChatterFilter},
        },
        "formatters": {
            "json": {"()": JsonFormatter},
            "plain": {"()": PlainFormatter},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["request_id"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own defaults would print request errors a second time (console under
            # DEBUG, mail_admins otherwise): everything goes through our one handler.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "django.db.backends": {"level": "WARNING"},
            # Our middleware writes the access line; these would say the same again.
            "django.server": {"handlers": [], "level": "WARNING", "propagate": False},
            "uvicorn": server,
            "uvicorn.error": {**server, "filters": ["server_chatter"]},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "daphne": server,
        },
    }


# --- HTTP ------------------------------------------------------------------------------------

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_REQUEST_ID_HEADER_BYTES = REQUEST_ID_HEADER.lower().encode()


class RequestLogApp:
    """Outermost ASGI layer for HTTP: the request id, its response header, the access line.

    It wraps everything the server hands a request to, so answers given in front of Django
    (stored anonymous pages, static files under `make run`) get their id and their line
    as Django's do, under Daphne and uvicorn alike.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == _REQUEST_ID_HEADER_BYTES:
                incoming = value.decode("latin-1")
                break
        request_id = request_id_from(incoming)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status: int | None = None
        logged = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, logged
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (name, value)
                    for name, value in message.get("headers", ())
                    if name.lower() != _REQUEST_ID_HEADER_BYTES
                ]
                headers.append((_REQUEST_ID_HEADER_BYTES, request_id.encode()))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # Before the last send: the line is written even if the client has gone.
                logged = True
                log_access(scope, status or 500, started)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if not logged:
                log_access(scope, status or 500, started)
            request_id_var.reset(token)


def log_access(scope: Scope, status: int, started: float) -> None:
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    path = scope.get("path", "")
    quiet = path in QUIET_PATHS and status < 400
    access_logger.log(
        logging.DEBUG if quiet else logging.INFO,
        "%s %s %s %.1fms",
        scope.get("method"),
        path,
        status,
        duration_ms,
        extra={
            "method": scope.get("method"),
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
        },
    )


# --- WebSockets ------------------------------------------------------------------------------


class WebSocketCounters:
    """Counts connects and closes; logs one summary line per interval in which any happened.

    Runs on the server's event loop (consumers call it), so plain integers suffice.
    """

    def __init__(self, interval: float | None = None) -> None:
        # None: read LOG_WEBSOCKET_SUMMARY_SECONDS when the first connection arrives.
        self.interval = interval
        self.open = 0
        self.opened = 0
        self.closed = 0
        self.close_codes: Counter[int] = Counter()
        self._timer: asyncio.TimerHandle | None = None

    def connected(self) -> None:
        self.open += 1
        self.opened += 1
        self._schedule()

    def disconnected(self, code: int | None) -> None:
        self.open = max(0, self.open - 1)
        self.closed += 1
        self.close_codes[code if code is not None else 1005] += 1
        self._schedule()

    def _schedule(self) -> None:
        if self.interval is None:
            from django.conf import settings

            self.interval = float(getattr(settings, "LOG_WEBSOCKET_SUMMARY_SECONDS", 60.0))
        if self._timer is not None or self.interval <= 0:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._timer = loop.call_later(self.interval, self.flush)

    def flush(self) -> None:
        """Log what happened since the last summary, then start counting afresh."""
        self._timer = None
        if not (self.opened or self.closed):
            return
        codes = dict(sorted(self.close_codes.items()))
        websocket_logger.info(
            "websockets: %d opened, %d closed, %d open; close codes %s",
            self.opened,
            self.closed,
            self.open,
            codes,
            extra={
                "ws_opened": self.opened,
                "ws_closed": self.closed,
                "ws_open": self.open,
                "ws_close_codes": {str(code): n for code, n in codes.items()},
            },
        )
        self.opened = self.closed = 0
        self.close_codes.clear()


websockets = WebSocketCounters()


def websocket_connected() -> None:
    websockets.connected()


def websocket_disconnected(code: int | None) -> None:
    websockets.disconnected(code)


# --- Error reporting -------------------------------------------------------------------------


def init_error_reporting(dsn: str, *, environment: str, release: str | None) -> None:
    """Sentry's SDK, only when SENTRY_DSN is set (the `sentry` extra installs it)."""
    try:
        import sentry_sdk
    except ImportError:
        raise SystemExit(
            "liveblog: refusing to start: SENTRY_DSN is set but sentry-sdk is not installed "
            "(pip install 'liveblog[sentry]')"
        ) from None
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        send_default_pii=False,
        traces_sample_rate=0.0,
        before_send=_tag_request_id,
    )


def _tag_request_id(event: Event, hint: Hint) -> Event:
    request_id = request_id_var.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


__all__ = [
    "REQUEST_ID_HEADER",
    "JsonFormatter",
    "PlainFormatter",
    "RequestIdFilter",
    "RequestLogApp",
    "WebSocketCounters",
    "init_error_reporting",
    "logging_config",
    "request_id_var",
    "websocket_connected",
    "websocket_disconnected",
]
