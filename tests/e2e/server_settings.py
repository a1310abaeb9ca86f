"""Settings for the Daphne process the browser tests talk to: the test settings, pointed
at the test database that pytest created (its name comes from the environment)."""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

DATABASES["default"]["NAME"] = os.environ["E2E_DATABASE_NAME"]
SERVE_STATIC = True
# The server process needs real files for uploads the browser makes and then loads.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LIVE_HEARTBEAT_SECONDS = float(os.environ.get("E2E_HEARTBEAT_SECONDS", "25"))
