import uuid

import pytest

from tests.liveblog.api.conftest import api

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_cache(settings):
    """A cache that counts, private to this test (the test settings use a dummy one)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"throttle-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture
def low_rates(settings, real_cache):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon_read": "3/min", "write": "2/min"},
    }


def test_anonymous_reads_are_throttled_per_address(anon, blog, low_rates):
    statuses = [anon.get(api("blogs/")).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = anon.get(api("blogs/"))
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_signed_in_reads_are_not_counted_as_anonymous(reporter_api, blog, low_rates):
    statuses = {reporter_api.get(api("blogs/")).status_code for _ in range(5)}

    assert statuses == {200}


def test_writes_are_throttled_per_user(reporter_api, editor_api, blog, low_rates):
    url = api("blogs/ge2017/posts/create/")
    statuses = [
        reporter_api.post(url, {"headline": "Update"}, "json").status_code for _ in range(3)
    ]

    assert statuses == [201, 201, 429]
    # Another user has their own allowance.
    assert editor_api.post(url, {"headline": "Update"}, "json").status_code == 201
