"""Fixtures of the reader-page tests."""

import uuid
from collections.abc import Iterator

import pytest

from liveblog.pages import caching
from liveblog.pages import store as page_store


@pytest.fixture
def page_store_on(settings) -> Iterator[page_store.PageStore]:
    """A real cache and a page store, as production has them."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"pages-{uuid.uuid4().hex}",
        }
    }
    settings.LIVEBLOG_PAGE_STORE_ENTRIES = 500
    page_store.store.clear()
    yield page_store.store
    page_store.store.clear()


@pytest.fixture
def store_on(page_store_on, settings) -> Iterator[None]:
    """The page store on, and each blog's token kept for a minute (as a busy process keeps
    it), starting from none."""
    settings.LIVEBLOG_SEQ_TTL = 60
    caching.tokens.reset()
    yield
    caching.tokens.reset()
