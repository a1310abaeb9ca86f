"""PostgreSQL unavailable for a moment (issue 10), against a PostgreSQL of this module's own
that the tests stop and start, and the app as in production: uvicorn, production settings,
in a subprocess. The anonymous page keeps being served from its last copy; writes in the
admin and the API fail with a clear 503 and change nothing; all recovers by itself."""

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

from .servers import PostgresProcess, free_port, wait_for_port

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PAGE = "/live/night/"
SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from liveblog import services
from liveblog.models import Contributor, LiveBlog
from liveblog.permissions import EDITOR_GROUP
editor = get_user_model().objects.create_user("editor", password="pw-for-tests", is_staff=True)
editor.groups.add(Group.objects.get(name=EDITOR_GROUP))
Contributor.objects.create(name="Katy Lewis", role="BBC Local Live", user=editor)
blog = LiveBlog.objects.create(title="Election night", slug="night")
services.create_post(blog=blog, by=editor, headline="Polls have closed")
print(Token.objects.create(user=editor).key)
"""


class App:
    def __init__(self, base: str, token: str, pg: PostgresProcess) -> None:
        self.base = base
        self.token = token
        self.pg = pg

    def get(self, path: str, **headers: str) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.base + path, headers=headers)
        return _open(request)

    def api_create(self, headline: str) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(
            f"{self.base}/api/v1/blogs/night/posts/create/",
            data=json.dumps({"headline": headline}).encode(),
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
            method="POST",
        )
        return _open(request)

    def counts(self) -> tuple[int, int]:
        with psycopg.connect(self.pg.url("liveblog")) as conn:
            posts = conn.execute("SELECT count(*) FROM liveblog_post").fetchone()[0]
            events = conn.execute("SELECT count(*) FROM liveblog_liveevent").fetchone()[0]
        return posts, events


def _open(request: urllib.request.Request, opener=None) -> tuple[int, dict, bytes]:
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.fixture(scope="module")
def app():
    pg = PostgresProcess()
    workdir = Path(tempfile.mkdtemp(prefix="degrade-app-"))
    server = None
    try:
        pg.start()
        with psycopg.connect(pg.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE liveblog")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "SECRET_KEY": "degrade-test-only-" + "x" * 40,
            "DATABASE_URL": pg.url("liveblog"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_COOKIES": "false",
            "SERVE_STATIC": "false",
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "REDIS_URL": "",
            "REDIS_CACHE_URL": "",
            # Every request asks the database for the blog's token: the page can only be
            # served while it is down from the copy in memory.
            "LIVEBLOG_SEQ_TTL": "0",
            "LOG_LEVEL": "WARNING",
        }
        manage = [str(BIN / "python"), "manage.py"]
        run = {"cwd": REPO, "env": env, "check": True, "capture_output": True, "text": True}
        subprocess.run([*manage, "migrate", "--noinput"], **run)
        subprocess.run([*manage, "collectstatic", "--noinput"], **run)
        token = subprocess.run([*manage, "shell", "-c", SETUP], **run).stdout.split()[-1]
        port = free_port()
        server = subprocess.Popen(
            [
                str(BIN / "uvicorn"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
                "config.asgi:application",
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "uvicorn.log").open("w"),
        )
        wait_for_port(port, timeout=20)
        yield App(f"http://127.0.0.1:{port}", token, pg)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        pg.destroy()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def database_down(app):
    app.pg.stop()
    try:
        yield
    finally:
        app.pg.start()


def test_the_anonymous_page_is_served_from_its_last_copy_while_the_database_is_down(app):
    status, _, before = app.get(PAGE)
    assert status == 200

    app.pg.stop()
    try:
        during = [app.get(PAGE) for _ in range(3)]
    finally:
        app.pg.start()

    assert [s for s, _, _ in during] == [200, 200, 200]
    assert all(body == before for _, _, body in during)


def test_an_api_write_while_the_database_is_down_is_503_with_a_message(app, database_down):
    status, headers, body = app.api_create("Recount in Kensington")

    assert status == 503
    assert json.loads(body)["code"] == "database_unavailable"
    assert "try again" in json.loads(body)["detail"]
    assert headers["Retry-After"] == "5"


def test_an_api_write_refused_while_the_database_was_down_changed_nothing(app):
    before = app.counts()

    app.pg.stop()
    try:
        status, _, _ = app.api_create("Recount in Kensington")
    finally:
        app.pg.start()

    assert status == 503
    assert app.counts() == before


def test_an_admin_write_while_the_database_is_down_is_a_503_page(app):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = f"{app.base}/admin/login/"
    _, _, page = _open(urllib.request.Request(login_url), opener)
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
    assert _open(login, opener)[0] == 200  # followed the redirect to the admin index
    add_url = f"{app.base}/admin/liveblog/post/add/"
    _, _, page = _open(urllib.request.Request(add_url), opener)
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "headline": "Recount"}).encode()

    app.pg.stop()
    try:
        status, _, body = _open(
            urllib.request.Request(add_url, data=data, headers={"Referer": add_url}), opener
        )
    finally:
        app.pg.start()

    assert status == 503
    assert b"The database is unavailable for a moment, so nothing was saved." in body


def test_readyz_is_503_while_the_database_is_down_and_200_after(app):
    app.pg.stop()
    try:
        down, _, body = app.get("/readyz")
    finally:
        app.pg.start()
    up, _, _ = app.get("/readyz")

    assert down == 503
    assert json.loads(body)["checks"]["database"]["state"] == "down"
    assert up == 200


def test_writes_and_fresh_pages_work_again_once_the_database_is_back(app):
    app.pg.stop()
    app.pg.start()

    status, _, _ = app.api_create("Turnout up in the north")
    page_status, _, page = app.get(PAGE)

    assert status == 201
    assert page_status == 200
    assert b"Turnout up in the north" in page
