"""Login throttling (issue 14, item 2): 30 wrong passwords in 8 s, then the right one, used
to log in. Now a username is paused from an address after the limit, with a message."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from liveblog.logins import MSG_LOCKED_OUT
from tests.factories import TEST_PASSWORD, EditorFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")
ATTACKER = "203.0.113.7"
NEWSROOM = "198.51.100.20"


@pytest.fixture
def editor_login(settings):
    settings.AXES_FAILURE_LIMIT = 5
    return EditorFactory(username="editor")


def _login(client, username: str, password: str, *, address: str):
    return client.post(
        LOGIN_URL,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def _guess(client, username: str, *, address: str, times: int) -> None:
    for i in range(times):
        response = _login(client, username, f"wrong-{i}", address=address)
        assert response.status_code in (200, 429)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_after_the_limit_of_wrong_ones_is_refused_with_the_message(
    client, editor_login
):
    _guess(client, "editor", address=ATTACKER, times=5)

    response = _login(client, "editor", TEST_PASSWORD, address=ATTACKER)

    assert response.status_code == 429
    assert MSG_LOCKED_OUT.format(minutes=15) in response.content.decode()
    assert response["Retry-After"] == "900"
    assert not _logged_in(client)


def test_fewer_wrong_passwords_than_the_limit_still_let_the_right_one_in(client, editor_login):
    _guess(client, "editor", address=ATTACKER, times=4)

    response = _login(client, "editor", TEST_PASSWORD, address=ATTACKER)

    assert response.status_code == 302
    assert _logged_in(client)


def test_the_same_login_from_another_address_is_not_paused(client, editor_login):
    _guess(client, "editor", address=ATTACKER, times=5)

    response = _login(client, "editor", TEST_PASSWORD, address=NEWSROOM)

    assert response.status_code == 302
    assert _logged_in(client)


def test_another_login_from_the_paused_address_is_not_paused(client, editor_login):
    reporter = EditorFactory(username="reporter")
    _guess(client, "editor", address=ATTACKER, times=5)

    response = _login(client, reporter.username, TEST_PASSWORD, address=ATTACKER)

    assert response.status_code == 302
    assert _logged_in(client)


def test_the_pause_ends_after_the_cool_off(client, editor_login, settings):
    _guess(client, "editor", address=ATTACKER, times=5)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )

    response = _login(client, "editor", TEST_PASSWORD, address=ATTACKER)

    assert response.status_code == 302
    assert _logged_in(client)


def test_throttling_holds_with_the_cache_unreachable(client, editor_login, settings):
    # Attempts are counted in the database: a cache on a port nothing listens on changes
    # nothing about the lockout.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    _guess(client, "editor", address=ATTACKER, times=5)

    response = _login(client, "editor", TEST_PASSWORD, address=ATTACKER)

    assert response.status_code == 429
    assert not _logged_in(client)
