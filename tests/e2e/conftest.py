"""Browser tests: a real Daphne process on the test database, driven by Playwright in
Debian's Chromium (/usr/bin/chromium). Writes happen through the browser, so they reach
readers through the server's own channel layer (in-memory or Redis alike)."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from deploy.processes import free_port, running, wait_for_port

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are plain synchronous calls and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_url(transactional_db) -> Iterator[str]:
    """Base URL of a Daphne server started for this test on the test database.

    The test's data is committed (transactional_db) so the server sees it. One server per
    test: a flushed database gets new content-type and user ids, which a long-running
    server would still hold in its caches."""
    database_name = str(connection.settings_dict["NAME"])
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.e2e.server_settings",
        "E2E_DATABASE_NAME": database_name,
        "E2E_HEARTBEAT_SECONDS": "2",
        "MEDIA_ROOT": str(REPO / ".test-media"),
    }
    cmd = [
        sys.executable,
        "-m",
        "daphne",
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "config.asgi:application",
    ]
    with running(cmd, env=env, cwd=REPO, log_path=REPO / ".test-e2e-server.log") as process:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"


# Per module: Playwright's sync API keeps an event loop on this thread while it runs, which
# the async (consumer) tests collected after the browser tests need for their own.
@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make e2e-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()
