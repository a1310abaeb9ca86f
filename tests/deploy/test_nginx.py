"""nginx from the compose template in front of one production uvicorn process (deploy.stack):
what it serves itself, what it passes on, and who may tell the application who the client is
(issues 10 and 14 item 6)."""

import gzip
import http.client
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from deploy.stack import Stack
from liveblog.models import LiveBlog
from liveblog.permissions import EDITOR_GROUP
from tests.conftest import _staff_user
from tests.deploy.conftest import test_database_url

pytestmark = [pytest.mark.deploy, pytest.mark.django_db(transaction=True)]

# Loopback addresses standing for a reader, another reader and a trusted front proxy.
CLIENT, OTHER_CLIENT, FRONT_PROXY = "127.0.0.3", "127.0.0.4", "127.0.0.5"
ANON_RATE = 3


@pytest.fixture(scope="module")
def stack(tmp_path_factory, prod_static: Path, django_db_setup) -> Iterator[Stack]:
    stack = Stack.create(
        tmp_path_factory.mktemp("nginx"),
        database_url=test_database_url(),
        static_root=prod_static,
        backends=1,
        settings="deploy.stack_settings",
        app_env={
            "API_ANON_READ_RATE": f"{ANON_RATE}/min",
            "SECURE_SSL_REDIRECT": "false",
        },
        nginx_env={"NGINX_TRUSTED_PROXIES": f"{FRONT_PROXY}/32"},
    )
    try:
        yield stack.start()
    finally:
        stack.close()


def request(
    port: int,
    path: str,
    *,
    source: str = CLIENT,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def nginx_port(stack: Stack) -> int:
    assert stack.nginx is not None
    return stack.nginx.port


def a_hashed_static_file(root: Path) -> str:
    for path in sorted(root.rglob("*.js")):
        if re.search(r"\.[0-9a-f]{12}\.js$", path.name):
            return "/static/" + path.relative_to(root).as_posix()
    raise AssertionError("collectstatic made no hashed files")


def test_hashed_static_files_are_cached_as_immutable(stack, prod_static):
    response = request(nginx_port(stack), a_hashed_static_file(prod_static))

    assert response.status == 200
    assert "immutable" in response.headers["Cache-Control"]


def test_unhashed_static_files_are_not_immutable(stack, prod_static):
    hashed = a_hashed_static_file(prod_static)
    plain = re.sub(r"\.[0-9a-f]{12}\.js$", ".js", hashed)
    response = request(nginx_port(stack), plain)

    assert response.status == 200
    assert "immutable" not in response.headers["Cache-Control"]


def test_the_static_manifest_is_not_served(stack, prod_static):
    assert (prod_static / "staticfiles.json").exists()

    assert request(nginx_port(stack), "/static/staticfiles.json").status == 404


@pytest.mark.parametrize("suffix", [".js", ".css", ".svg"])
def test_static_text_is_gzipped(stack, prod_static, suffix):
    path = max(
        (p for p in prod_static.rglob(f"*{suffix}") if p.stat().st_size > 2048),
        key=lambda p: p.stat().st_size,
    )
    response = request(
        nginx_port(stack),
        "/static/" + path.relative_to(prod_static).as_posix(),
        headers={"Accept-Encoding": "gzip"},
    )

    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.body) == path.read_bytes()  # type: ignore[attr-defined]


def test_pages_and_json_from_the_application_are_gzipped(stack):
    for n in range(6):
        LiveBlog.objects.create(title=f"Election night {n}", slug=f"gzip-night-{n}")
    gzip_ok = {"Accept-Encoding": "gzip"}
    page = request(nginx_port(stack), "/live/gzip-night-0/", headers=gzip_ok)
    api = request(nginx_port(stack), "/api/v1/blogs/", source=OTHER_CLIENT, headers=gzip_ok)

    assert (page.status, page.headers["Content-Encoding"]) == (200, "gzip")
    assert (api.status, api.headers["Content-Encoding"]) == (200, "gzip")


def test_admin_login_through_nginx_on_a_port_passes_csrf(stack):
    editor = _staff_user("nginx-editor", EDITOR_GROUP)
    # With a hasher production settings know (the test settings' MD5 one is not among them).
    editor.password = PBKDF2PasswordHasher().encode("pw-for-tests", "stack-test-salt")
    editor.save(update_fields=["password"])
    port = nginx_port(stack)
    origin = f"http://127.0.0.1:{port}"
    form = request(port, "/admin/login/?next=/admin/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body).group(1)  # type: ignore[attr-defined]
    cookie = form.headers["Set-Cookie"].split(";", 1)[0]
    response = request(
        port,
        "/admin/login/?next=/admin/",
        method="POST",
        headers={
            "Cookie": cookie,
            "Origin": origin,
            "Referer": f"{origin}/admin/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=f"csrfmiddlewaretoken={token.decode()}&username={editor.username}"
        "&password=pw-for-tests&next=/admin/",
    )

    assert response.status == 302, response.body  # type: ignore[attr-defined]
    assert response.headers["Location"] == "/admin/"


def test_absolute_urls_keep_the_port_and_take_https_only_from_a_trusted_proxy(stack):
    LiveBlog.objects.create(title="Election night", slug="proto-night")
    port = nginx_port(stack)
    https = {"X-Forwarded-Proto": "https"}
    from_reader = request(port, "/live/proto-night/feed/", headers=https)
    from_proxy = request(
        port,
        "/live/proto-night/feed/",
        source=FRONT_PROXY,
        headers={**https, "X-Forwarded-For": "198.51.100.20"},
    )

    assert f'href="http://127.0.0.1:{port}/live/proto-night/"'.encode() in from_reader.body  # type: ignore[attr-defined]
    assert f'href="https://127.0.0.1:{port}/live/proto-night/"'.encode() in from_proxy.body  # type: ignore[attr-defined]


def anonymous_reads(port: int, *, source: str, forwarded_for=None) -> list[int]:
    statuses = []
    for _ in range(ANON_RATE + 1):
        headers = {"X-Forwarded-For": forwarded_for or f"203.0.113.{uuid.uuid4().int % 250}"}
        statuses.append(request(port, "/api/v1/blogs/", source=source, headers=headers).status)
    return statuses


def test_a_made_up_x_forwarded_for_through_nginx_does_not_escape_the_throttle(stack):
    """Issue 14 item 6: a new X-Forwarded-For per request was a new throttle identity."""
    assert anonymous_reads(nginx_port(stack), source=CLIENT) == [200] * ANON_RATE + [429]


def test_a_made_up_x_forwarded_for_sent_to_uvicorn_directly_is_ignored(stack):
    backend = stack.backends[0]
    statuses = anonymous_reads(backend.port, source="127.0.0.6")

    assert statuses == [200] * ANON_RATE + [429]


def test_each_client_behind_nginx_has_its_own_allowance(stack):
    assert anonymous_reads(nginx_port(stack), source="127.0.0.7")[-1] == 429

    assert request(nginx_port(stack), "/api/v1/blogs/", source="127.0.0.8").status == 200


def test_a_trusted_front_proxy_names_the_client(stack):
    port = nginx_port(stack)
    # The same client behind the front proxy runs out; another client behind it does not.
    same = anonymous_reads(port, source=FRONT_PROXY, forwarded_for="198.51.100.7")
    other = request(
        port, "/api/v1/blogs/", source=FRONT_PROXY, headers={"X-Forwarded-For": "198.51.100.8"}
    )

    assert same == [200] * ANON_RATE + [429]
    assert other.status == 200
