"""A database that cannot be reached is a 503 with a clear message, never a 500 page, in the
API, the admin and anywhere else (issue 10). tests/degrade/test_database_down.py stops a real
PostgreSQL; these pin each handler in process."""

import json
import logging

import pytest
from django.contrib.admin import ModelAdmin
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from liveblog import middleware, services
from liveblog.models import Post
from tests.liveblog.api.conftest import token_client

pytestmark = pytest.mark.django_db


def _refuse(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: refused')


def test_an_api_write_that_cannot_reach_the_database_is_503_and_saves_nothing(
    reporter, blog, monkeypatch, caplog
):
    monkeypatch.setattr(services, "create_post", _refuse)
    caplog.set_level(logging.WARNING, logger="liveblog.middleware")

    response = token_client(reporter).post(
        f"/api/v1/blogs/{blog.slug}/posts/create/", {"headline": "Recount"}, format="json"
    )

    assert response.status_code == 503
    assert response.json() == {
        "detail": middleware.MSG_DATABASE_UNAVAILABLE,
        "code": "database_unavailable",
    }
    assert response["Retry-After"] == "5"
    assert not Post.objects.filter(headline="Recount").exists()
    assert [r.exc_info for r in caplog.records if r.name == "liveblog.middleware"] == [None]


def test_an_admin_page_that_cannot_reach_the_database_is_a_503_page(client, editor, monkeypatch):
    client.force_login(editor)
    monkeypatch.setattr(ModelAdmin, "changeform_view", _refuse)

    response = client.post("/admin/liveblog/post/add/", {"headline": "Recount"})

    assert response.status_code == 503
    assert middleware.MSG_DATABASE_UNAVAILABLE in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_lost_connection_is_a_503_too(client, editor, monkeypatch):
    client.force_login(editor)

    def closed(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(ModelAdmin, "changeform_view", closed)

    assert client.get("/admin/liveblog/post/add/").status_code == 503


def test_a_database_error_outside_a_view_is_a_503_page():
    request = RequestFactory().get("/admin/")
    try:
        _refuse()
    except OperationalError:
        response = middleware.server_error(request)

    assert response.status_code == 503
    assert middleware.MSG_DATABASE_UNAVAILABLE in response.content.decode()


def test_a_database_error_outside_an_api_view_is_a_503_in_the_apis_shape():
    request = RequestFactory().post("/api/v1/blogs/night/posts/create/")
    try:
        _refuse()
    except OperationalError:
        response = middleware.server_error(request)

    assert response.status_code == 503
    assert json.loads(response.content)["code"] == "database_unavailable"


def test_any_other_error_outside_a_view_is_still_the_500_page():
    request = RequestFactory().get("/admin/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = middleware.server_error(request)

    assert response.status_code == 500
