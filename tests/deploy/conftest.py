"""The production stack as processes (deploy.stack): shared fixtures."""

from pathlib import Path

import pytest
from django.db import connection

from deploy import stack as stack_module


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "deploy: the production stack as processes (uvicorn, nginx, Redis)"
    )


@pytest.fixture(scope="session")
def prod_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """collectstatic as the image build runs it (hashed names, staticfiles.json)."""
    root = tmp_path_factory.mktemp("prod-static") / "static"
    stack_module.collect_static(root, settings="deploy.stack_settings")
    return root


def test_database_url() -> str:
    """The URL of the database pytest-django created, for the server processes."""
    settings = connection.settings_dict
    if settings["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    auth = settings["USER"] or ""
    if settings["PASSWORD"]:
        auth += f":{settings['PASSWORD']}"
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{settings['NAME']}"


test_database_url.__test__ = False  # a helper, not a test
