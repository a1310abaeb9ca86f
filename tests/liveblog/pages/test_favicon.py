"""Browsers ask for /favicon.ico on every page that names no icon: it must not be a 404."""

import pytest


@pytest.mark.django_db
def test_favicon_ico_points_at_the_site_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].endswith("/liveblog/img/icon.svg")


@pytest.mark.django_db
def test_pages_name_the_site_icon(client, settings):
    html = client.get("/does-not-exist/").content.decode()

    assert 'rel="icon"' in html
