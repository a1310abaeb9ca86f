"""Issue 10: one JSON line per event, a request id on every line and in the response, one
access line per request, tracebacks in one field, WebSocket connects counted not logged."""

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator

from config import observability
from config.asgi import application
from config.observability import (
    JsonFormatter,
    PlainFormatter,
    RequestIdFilter,
    RequestLogApp,
    ServerChatterFilter,
    WebSocketCounters,
)

pytestmark = pytest.mark.urls("tests.config.urls")

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


class JsonLines:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines()]

    def by_logger(self, name: str) -> list[dict]:
        return [entry for entry in self.records() if entry["logger"] == name]


@pytest.fixture
def json_log() -> Iterator[JsonLines]:
    """The production handler (JSON formatter and request-id filter) on the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield JsonLines(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_a_log_record_is_one_json_line_with_its_extra_fields(json_log):
    logging.getLogger("liveblog.tests").info("published %s", "post 7", extra={"seq": 7})

    [entry] = json_log.records()
    assert entry["level"] == "INFO"
    assert entry["logger"] == "liveblog.tests"
    assert entry["message"] == "published post 7"
    assert entry["seq"] == 7
    assert entry["request_id"] is None
    assert entry["time"].endswith("+00:00")


def test_a_traceback_is_one_field_of_one_line(json_log):
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        logging.getLogger("liveblog.tests").exception("it failed")

    assert len(json_log.text.splitlines()) == 1
    [entry] = json_log.records()
    assert entry["message"] == "it failed"
    assert entry["exc"].startswith("Traceback (most recent call last):")
    assert entry["exc"].endswith("ZeroDivisionError: division by zero")


async def get(path: str, *, request_id: str | None = None) -> dict:
    """A request through the whole ASGI application, as the server hands it over."""
    headers = [(b"host", b"127.0.0.1")]
    if request_id is not None:
        headers.append((b"x-request-id", request_id.encode("latin-1")))
    communicator = HttpCommunicator(application, "GET", path, headers=headers)
    return await communicator.get_response(timeout=10)


def request_id_of(response: dict) -> str:
    [value] = [v for name, v in response["headers"] if name.lower() == b"x-request-id"]
    return value.decode()


async def test_a_response_carries_the_sane_request_id_the_proxy_sent():
    response = await get("/__tests__/logs/", request_id="nginx-3f2a9c1e77d04b")

    assert request_id_of(response) == "nginx-3f2a9c1e77d04b"


@pytest.mark.parametrize(
    "incoming",
    ["", "short", "has spaces in it", 'quote"injection-123', "x" * 200, "line\nbreak-12345"],
    ids=["empty", "too short", "spaces", "quote", "too long", "newline"],
)
async def test_an_insane_incoming_request_id_is_replaced_by_a_new_one(incoming):
    response = await get("/__tests__/logs/", request_id=incoming)

    assert GENERATED_ID.fullmatch(request_id_of(response))


async def test_a_request_without_an_id_gets_a_new_one_each_time():
    first = request_id_of(await get("/__tests__/logs/"))
    second = request_id_of(await get("/__tests__/logs/"))

    assert GENERATED_ID.fullmatch(first)
    assert first != second


async def test_every_line_written_during_a_request_carries_its_id(json_log):
    response = await get("/__tests__/logs/")

    [view_line] = json_log.by_logger("liveblog.tests")
    [access_line] = json_log.by_logger("liveblog.access")
    assert view_line["request_id"] == access_line["request_id"] == request_id_of(response)


async def test_a_line_written_after_the_request_has_no_request_id(json_log):
    await get("/__tests__/logs/")
    logging.getLogger("liveblog.tests").info("between requests")

    assert json_log.records()[-1]["request_id"] is None


async def test_each_request_writes_one_access_line_with_method_path_status_and_duration(
    json_log,
):
    response = await get("/no-such-page/?q=1")

    [line] = json_log.by_logger("liveblog.access")
    assert line["method"] == "GET"
    assert line["path"] == "/no-such-page/"
    assert line["status"] == 404
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == request_id_of(response)
    assert line["message"].startswith("GET /no-such-page/ 404 ")


async def test_a_failing_request_logs_its_traceback_in_one_line_with_the_request_id(json_log):
    response = await get("/__tests__/fails/")

    assert response["status"] == 500
    [error] = json_log.by_logger("django.request")
    assert error["level"] == "ERROR"
    assert error["request_id"] == request_id_of(response)
    assert "ZeroDivisionError: the view failed" in error["exc"]
    [access] = json_log.by_logger("liveblog.access")
    assert access["status"] == 500
    assert len(json_log.text.splitlines()) == len(json_log.records()) == 2


async def stored_page(scope, receive, send):
    """An answer given in front of Django, with the headers a first response left it."""
    headers = [(b"content-type", b"text/html"), (b"x-request-id", b"first-render-0001")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"<p>stored</p>"})


async def test_an_answer_given_in_front_of_django_gets_the_current_id_and_its_line(json_log):
    communicator = HttpCommunicator(RequestLogApp(stored_page), "GET", "/live/ge2017/")

    response = await communicator.get_response(timeout=10)

    assert request_id_of(response) != "first-render-0001"
    [line] = json_log.by_logger("liveblog.access")
    assert (line["path"], line["status"]) == ("/live/ge2017/", 200)
    assert line["request_id"] == request_id_of(response)


async def test_a_passing_health_probe_writes_no_access_line(json_log, monkeypatch):
    monkeypatch.setattr(observability, "QUIET_PATHS", frozenset({"/__tests__/logs/"}))

    await get("/__tests__/logs/")

    assert json_log.by_logger("liveblog.access") == []


async def test_a_failing_health_probe_writes_its_access_line(json_log, monkeypatch):
    monkeypatch.setattr(observability, "QUIET_PATHS", frozenset({"/no-such-page/"}))

    await get("/no-such-page/")

    assert [line["status"] for line in json_log.by_logger("liveblog.access")] == [404]


def test_plain_format_stays_readable_and_names_the_request(client):
    record = logging.LogRecord("liveblog.access", logging.INFO, "", 0, "GET / 200", (), None)
    record.request_id = "0123456789abcdef"

    line = PlainFormatter().format(record)

    assert line.endswith("INFO liveblog.access GET / 200 [01234567]")


def test_websocket_connects_and_closes_are_counted_into_one_summary_line(caplog):
    counters = WebSocketCounters(interval=0)
    caplog.set_level(logging.INFO, logger="liveblog.websockets")

    for _ in range(3):
        counters.connected()
    counters.disconnected(1000)
    counters.disconnected(1001)
    assert caplog.records == []

    counters.flush()

    [summary] = caplog.records
    assert summary.getMessage() == (
        "websockets: 3 opened, 2 closed, 1 open; close codes {1000: 1, 1001: 1}"
    )
    assert (summary.ws_opened, summary.ws_closed, summary.ws_open) == (3, 2, 1)


def test_a_quiet_interval_writes_no_websocket_summary(caplog):
    counters = WebSocketCounters(interval=0)
    caplog.set_level(logging.INFO, logger="liveblog.websockets")
    counters.connected()
    counters.flush()
    caplog.clear()

    counters.flush()

    assert caplog.records == []
    assert counters.open == 1


async def test_the_websocket_summary_is_written_by_itself_after_the_interval(caplog):
    caplog.set_level(logging.INFO, logger="liveblog.websockets")
    counters = WebSocketCounters(interval=0.01)
    counters.connected()
    flushed = counters._timer

    assert flushed is not None
    flushed._run()  # what the loop does when the interval has passed

    assert [r.ws_opened for r in caplog.records] == [1]


@pytest.mark.parametrize(
    "message",
    ["connection open", "connection closed", '%s - "WebSocket %s" [accepted]'],
)
def test_uvicorn_per_connection_websocket_lines_are_dropped(message):
    record = logging.LogRecord("uvicorn.error", logging.INFO, "", 0, message, (), None)

    assert not ServerChatterFilter().filter(record)


def test_uvicorn_startup_and_error_lines_are_kept():
    started = logging.LogRecord("uvicorn.error", logging.INFO, "", 0, "Uvicorn running", (), None)
    failed = logging.LogRecord("uvicorn.error", logging.ERROR, "", 0, "connection open", (), None)

    assert ServerChatterFilter().filter(started)
    assert ServerChatterFilter().filter(failed)


@pytest.mark.django_db(transaction=True)
async def test_the_reader_consumer_counts_its_connections(monkeypatch, blog):
    counters = WebSocketCounters(interval=0)
    monkeypatch.setattr(observability, "websockets", counters)
    headers = [(b"origin", b"http://127.0.0.1")]

    for path in (f"/ws/live/{blog.slug}/?after=0", "/ws/live/no-such-blog/"):
        reader = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await reader.connect(timeout=10)
        assert connected
        if "no-such-blog" in path:
            assert (await reader.receive_output(timeout=10))["type"] == "websocket.close"
        await reader.disconnect()

    assert (counters.opened, counters.closed, counters.open) == (2, 2, 0)


def test_django_writes_through_our_one_handler_only():
    django_logger = logging.getLogger("django")

    assert django_logger.handlers == []
    assert django_logger.propagate is True
    ours = (PlainFormatter, JsonFormatter)
    assert any(isinstance(h.formatter, ours) for h in logging.getLogger().handlers)
