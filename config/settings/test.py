"""`make test`: SQLite and the in-memory layer unless DATABASE_URL / REDIS_URL are set."""

import os

os.environ.setdefault("SECRET_KEY", "test-only")

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Threads that async tests use for the ORM must not keep connections open past a call,
# or the test database cannot be dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: the browser tests' Daphne process must see the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405

# Rendered pages are cached per blog seq in production; tests that build posts with factories
# (no seq) would see stale pages. tests/liveblog/test_caching.py switches a real cache on.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Throttles count in the cache too (so never trip here); tests/api/test_throttling.py sets low
# rates with a real cache.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon_read": "100000/min", "write": "100000/min"},
}
# Tests change blogs through factories too (no event, so nothing drops the snapshot), so
# reader views read the blog on every request; tests/liveblog/test_caching.py covers the TTL.
LIVEBLOG_SEQ_TTL = 0
# For the same reason no rendered page is kept (tests/liveblog/test_caching.py switches it on).
LIVEBLOG_PAGE_STORE_ENTRIES = 0
