"""PostgreSQL unavailable for a moment (issue 10), against a PostgreSQL of this module's own
that the tests stop and start, and the app as in production: uvicorn, production settings,
in a subprocess. The anonymous page keeps being served from its last copy; writes in the
admin and the API fail with a clear 503 and change nothing; all recovers by itself."""

import http.cookiejar
import json
import re
import urllib.parse
import urllib.request

import psycopg
import pytest

from tests.degrade.production import SLUG, open_url, production_app
from tests.degrade.servers import PostgresProcess

PAGE = f"/live/{SLUG}/"


def counts(pg: PostgresProcess) -> tuple[int, int]:
    with psycopg.connect(pg.url("liveblog")) as conn:
        posts = conn.execute("SELECT count(*) FROM liveblog_post").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM liveblog_liveevent").fetchone()[0]
    return posts, events


@pytest.fixture(scope="module")
def app(pg):
    # LIVEBLOG_SEQ_TTL=0: every request asks the database for the blog's token, so while
    # it is down the page can only come from the copy in memory.
    with production_app(database_url=pg.url("liveblog"), LIVEBLOG_SEQ_TTL="0") as app:
        yield app


@pytest.fixture
def database_down(pg):
    pg.stop()
    try:
        yield
    finally:
        pg.start()


def test_the_anonymous_page_is_served_from_its_last_copy_while_the_database_is_down(app, pg):
    status, _, before = app.get(PAGE)
    assert status == 200

    pg.stop()
    try:
        during = [app.get(PAGE) for _ in range(3)]
    finally:
        pg.start()

    assert [s for s, _, _ in during] == [200, 200, 200]
    assert all(body == before for _, _, body in during)


def test_an_api_write_while_the_database_is_down_is_503_with_a_message(app, database_down):
    status, headers, body = app.api_create("Recount in Kensington")

    assert status == 503
    assert json.loads(body)["code"] == "database_unavailable"
    assert "try again" in json.loads(body)["detail"]
    assert headers["Retry-After"] == "5"


def test_an_api_write_refused_while_the_database_was_down_changed_nothing(app, pg):
    before = counts(pg)

    pg.stop()
    try:
        status, _, _ = app.api_create("Recount in Kensington")
    finally:
        pg.start()

    assert status == 503
    assert counts(pg) == before


def test_an_admin_write_while_the_database_is_down_is_a_503_page(app, pg):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = f"{app.base}/admin/login/"
    _, _, page = open_url(urllib.request.Request(login_url), opener)
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    form = {
        "username": "editor",
        "password": "pw-for-tests",
        "csrfmiddlewaretoken": csrf,
        "next": "/admin/",
    }
    login = urllib.request.Request(
        login_url, data=urllib.parse.urlencode(form).encode(), headers={"Referer": login_url}
    )
    assert open_url(login, opener)[0] == 200  # followed the redirect to the admin index
    add_url = f"{app.base}/admin/liveblog/post/add/"
    _, _, page = open_url(urllib.request.Request(add_url), opener)
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "headline": "Recount"}).encode()

    pg.stop()
    try:
        status, _, body = open_url(
            urllib.request.Request(add_url, data=data, headers={"Referer": add_url}), opener
        )
    finally:
        pg.start()

    assert status == 503
    assert b"The database is unavailable for a moment, so nothing was saved." in body


def test_readyz_is_503_while_the_database_is_down_and_200_after(app, pg):
    pg.stop()
    try:
        down, _, body = app.get("/readyz")
    finally:
        pg.start()
    up, _, _ = app.get("/readyz")

    assert down == 503
    assert json.loads(body)["checks"]["database"]["state"] == "down"
    assert up == 200


def test_writes_and_fresh_pages_work_again_once_the_database_is_back(app, pg):
    pg.stop()
    pg.start()

    status, _, _ = app.api_create("Turnout up in the north")
    page_status, _, page = app.get(PAGE)

    assert status == 201
    assert page_status == 200
    assert b"Turnout up in the north" in page
