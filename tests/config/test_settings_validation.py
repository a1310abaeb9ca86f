"""Issue 10: settings refuse to start half-configured, in one clear line (not a traceback).

Each case runs `manage.py check` in a fresh process with the bad environment, as an operator
would meet it.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PREFIX = "liveblog: refusing to start:"
GOOD_SECRET = secrets.token_urlsafe(50)


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    # Not what the test run itself sets (the browser tests allow async-unsafe ORM calls).
    unset = ("DEBUG", "SENTRY_DSN", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


BAD_ENVIRONMENTS = {
    "empty SECRET_KEY": ({"SECRET_KEY": ""}, "SECRET_KEY is empty"),
    "blank SECRET_KEY": ({"SECRET_KEY": "   "}, "SECRET_KEY is empty"),
    "DATABASE_URL that is not a URL": ({"DATABASE_URL": "notaurl"}, "DATABASE_URL is not"),
    "DATABASE_URL of another kind": ({"DATABASE_URL": "http://db/x"}, "DATABASE_URL is not"),
    "DATABASE_URL with a bad port": (
        {"DATABASE_URL": "postgres://u:secret@db:port/x"},
        "DATABASE_URL has an invalid port: postgres://u:***@db:port/x",
    ),
    "DATABASE_URL without a database name": (
        {"DATABASE_URL": "postgres://u@db:5432"},
        "DATABASE_URL needs a host and a database name",
    ),
    "REDIS_URL that is not a URL": ({"REDIS_URL": "notaurl"}, "REDIS_URL is not a Redis URL"),
    "REDIS_URL with a bad port": ({"REDIS_URL": "redis://r:63x9/0"}, "REDIS_URL has an invalid"),
    "REDIS_URL with a bad database": (
        {"REDIS_URL": "redis://r:6379/zero"},
        "REDIS_URL database must be a number",
    ),
    "REDIS_CACHE_URL that is not a URL": (
        {"REDIS_CACHE_URL": "localhost:6379"},
        "REDIS_CACHE_URL is not a Redis URL",
    ),
    "DEBUG on in production": (
        {"DJANGO_SETTINGS_MODULE": "config.settings.prod", "DEBUG": "true"},
        "DEBUG is on in production settings",
    ),
    "unknown LOG_FORMAT": ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be plain or json"),
}


@pytest.mark.parametrize(
    ("environment", "expected"), BAD_ENVIRONMENTS.values(), ids=BAD_ENVIRONMENTS.keys()
)
def test_settings_refuse_to_start_in_one_line_saying_what_is_wrong(environment, expected):
    environment = {"SECRET_KEY": GOOD_SECRET, **environment}

    result = manage("check", **environment)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.strip()], result.stderr
    assert result.stderr.startswith(f"{PREFIX} ")
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_password_is_not_printed_when_the_url_is_refused():
    result = manage("check", SECRET_KEY=GOOD_SECRET, DATABASE_URL="postgres://u:hunter2@db:x/y")

    assert result.returncode == 1
    assert "hunter2" not in result.stderr


def test_production_settings_pass_the_deployment_checks_at_warning_level():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="live.example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
