"""Settings for bench/page_bench.py's server: the production settings plus a URLconf with
the reference views. Everything else (database, Redis) comes from the environment it sets."""

from config.settings.prod import *  # noqa: F403

ROOT_URLCONF = "page_bench_urls"
