"""Throttle identity is the address uvicorn resolved (REMOTE_ADDR), never a header the client
made up (issue 14 item 6). tests/deploy/test_nginx.py proves the same through nginx."""

import uuid

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_anon_rate(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"forwarded-{uuid.uuid4().hex}",
        }
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon_read": "3/min", "write": "100/min"},
    }


def test_a_new_x_forwarded_for_per_request_does_not_reset_the_throttle(client, low_anon_rate):
    statuses = [
        client.get(
            "/api/v1/blogs/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


def test_another_client_address_has_its_own_allowance(client, low_anon_rate):
    for _ in range(3):
        client.get("/api/v1/blogs/", REMOTE_ADDR="192.0.2.10")

    assert client.get("/api/v1/blogs/", REMOTE_ADDR="192.0.2.10").status_code == 429
    assert client.get("/api/v1/blogs/", REMOTE_ADDR="192.0.2.11").status_code == 200
