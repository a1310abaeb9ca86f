"""Issue 10: an optional error-reporting hook, configured by the environment (SENTRY_DSN)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import observability

REPO = Path(__file__).resolve().parents[2]
# Loopback and a closed port: nothing leaves the machine even if an event were sent.
DSN = "http://publickey@127.0.0.1:9/1"


def django_shell(code: str, **environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_dsn_the_sdk_is_not_even_imported():
    result = django_shell("import sys; print('sentry_sdk' in sys.modules)")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_dsn_in_the_environment_starts_the_sdk_without_personal_data():
    code = (
        "import sentry_sdk; c = sentry_sdk.get_client(); "
        "print(c.is_active(), c.options['dsn'], c.options['send_default_pii'], "
        "c.options['environment'])"
    )

    result = django_shell(code, SENTRY_DSN=DSN, SENTRY_ENVIRONMENT="staging")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", DSN, "False", "staging"]


def test_a_dsn_without_the_sdk_installed_refuses_to_start_in_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # what an absent package looks like

    with pytest.raises(SystemExit) as refused:
        observability.init_error_reporting(DSN, environment="production", release=None)

    assert str(refused.value) == (
        "liveblog: refusing to start: SENTRY_DSN is set but sentry-sdk is not installed "
        "(pip install 'liveblog[sentry]')"
    )


def test_reported_errors_are_tagged_with_the_request_id():
    token = observability.request_id_var.set("nginx-0123456789")
    try:
        event = observability._tag_request_id({"tags": {"server": "web-1"}}, {})
    finally:
        observability.request_id_var.reset(token)

    assert event["tags"] == {"server": "web-1", "request_id": "nginx-0123456789"}
