"""/healthz (liveness: touches nothing) and /readyz (database and Redis, each named with its
state and time; 503 without the database, 200 "degraded" without Redis) (issue 10)."""

import logging

import pytest
from django.db import OperationalError, connection

from tests.degrade.servers import RedisProcess, free_port
from tests.degrade.test_redis_down import use_redis_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1" failed: refused')

    monkeypatch.setattr(connection, "cursor", refuse)


def test_healthz_answers_without_touching_database_cache_or_session(
    client, settings, django_assert_num_queries, caplog
):
    caplog.set_level(logging.WARNING, logger="liveblog.redis")
    use_redis_cache(settings, f"redis://127.0.0.1:{free_port()}/0")  # a dead Redis

    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "Set-Cookie" not in response
    assert not caplog.records  # the cache's Redis was never tried


def test_healthz_answers_while_the_database_is_down(client, database_down):
    assert client.get("/healthz").status_code == 200


def test_readyz_names_each_check_with_its_state_and_time(client):
    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["degraded"] is False
    assert body["checks"]["database"]["state"] == "up"
    assert body["checks"]["database"]["ms"] >= 0
    assert body["checks"]["redis"]["state"] == "not configured"
    assert "no-store" in response["Cache-Control"]


def test_readyz_with_redis_up_is_ok(client, settings):
    server = RedisProcess().start()
    try:
        use_redis_cache(settings, server.url)
        body = client.get("/readyz").json()
    finally:
        server.kill()

    assert body["status"] == "ok"
    assert body["checks"]["redis"]["state"] == "up"


def test_readyz_with_only_redis_down_is_200_and_degraded(client, settings):
    use_redis_cache(settings, f"redis://127.0.0.1:{free_port()}/0")

    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["degraded"] is True
    assert body["checks"]["database"]["state"] == "up"
    assert body["checks"]["redis"]["state"] == "down"


def test_readyz_with_the_database_down_is_503(client, database_down):
    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "down"
    assert body["checks"]["database"]["state"] == "down"
    assert "refused" in body["checks"]["database"]["error"]


def test_readyz_checks_the_channel_layers_redis_when_it_is_another_one(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.REDIS_CACHE_URL = ""

    body = client.get("/readyz").json()

    assert body["checks"]["channel_layer_redis"]["state"] == "down"
    assert body["degraded"] is True
