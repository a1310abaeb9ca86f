"""`make run`: the embedded default. DEBUG on, a fixed development secret unless one is set."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "dev-only-not-for-production")

from config.settings.base import *  # noqa: F403
