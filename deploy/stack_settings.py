"""Production settings for the process stack of tests/deploy and bench/: config.settings.prod
unchanged, except the hub's heartbeat, which comes from STACK_HEARTBEAT_SECONDS so that a
test heals in seconds rather than 25 (the production interval is the default)."""

import os

from config.settings.prod import *  # noqa: F403

LIVE_HEARTBEAT_SECONDS = float(os.environ.get("STACK_HEARTBEAT_SECONDS", "25"))
