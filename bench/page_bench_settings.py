"""Settings for bench/page_bench.py's server: the real settings plus a URLconf with the bare
reference views. Everything else (database, cache) comes from the environment it sets."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "page_bench_urls"
