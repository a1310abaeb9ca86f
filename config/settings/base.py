"""Settings shared by every environment; environment variables switch what differs.

Everything a deployment changes comes from the environment (see README, "Configuration").
"""

from datetime import timedelta
from pathlib import Path

import environ

from config.observability import logging_config
from config.settings.validation import (
    check_database_url,
    check_embed_origins,
    check_redis_url,
    check_secret_key,
    refuse,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = check_secret_key(env.str("SECRET_KEY", default=None))
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Not "daphne": it only adapts runserver, and importing Twisted and autobahn costs every
# process about 25 MB, uvicorn ones included. `make run` starts Daphne directly.
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.sitemaps",
    "django_prose_editor",
    "csp",
    "axes",
    "liveblog",
    "results",
]

MIDDLEWARE = [
    # First: completes stored anonymous pages with the final headers (liveblog.pages.asgi).
    "liveblog.middleware.PageStoreMiddleware",
    # A database that cannot be reached answers 503 with a message, never a 500 page.
    "liveblog.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.csp.CSPMiddleware",
    # Early: a NUL in the path, query, cookies or form body is a 400 before any lookup.
    "liveblog.request_guards.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-wide templates; the wheel installs them beside the packages (pyproject).
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "libraries": {"csp_media": "config.csp"},
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

# Without DATABASE_URL the embedded default is a SQLite file next to manage.py.
DATABASES = {
    "default": env.db_url_config(
        check_database_url(env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the reader page read while a reporter's save is writing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Without REDIS_URL the in-memory layer serves a single process (make run, tests).
REDIS_URL = check_redis_url(env.str("REDIS_URL", default=""))
# Each server process holds one subscription per blog (liveblog.live.hub), so the pub/sub layer
# fits: one PUBLISH per event, no per-process polling. The list-based core layer is
# available with REDIS_CHANNEL_LAYER=core; BENCHMARKS.md has the measurements.
REDIS_CHANNEL_LAYER = env.str("REDIS_CHANNEL_LAYER", default="pubsub")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": {
                "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "core": "channels_redis.core.RedisChannelLayer",
            }[REDIS_CHANNEL_LAYER],
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Rendered reader pages (one per blog seq and page, liveblog.pages.caching) and API throttle counts.
# Per process in memory by default; with REDIS_URL shared by every process. The cache keeps
# its own key prefix, and REDIS_CACHE_URL may point it at another Redis database: never call
# cache.clear() on a database the channel layer uses (it flushes the whole database).
REDIS_CACHE_URL = check_redis_url(
    env.str("REDIS_CACHE_URL", default=REDIS_URL), name="REDIS_CACHE_URL"
)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            # Redis behind a circuit breaker, per-process memory while it is away
            # (liveblog.resilient_cache): short timeouts so a dead Redis costs no latency.
            "BACKEND": "liveblog.resilient_cache.ResilientRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "liveblog-cache",
            "TIMEOUT": 600,
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.25),
                "socket_timeout": env.float("REDIS_TIMEOUT", default=0.5),
                "RETRY_AFTER": env.float("REDIS_RETRY_AFTER", default=5.0),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "liveblog",
            "TIMEOUT": 600,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# Login throttling (django-axes), admin login and anything else that calls authenticate():
# after AXES_FAILURE_LIMIT wrong passwords for one username from one address, that pair is
# refused until the cool-off has passed. Per pair, so neither a guesser can lock an editor
# out from elsewhere nor one newsroom address lock out everyone behind it. Attempts are
# counted in the database, so throttling holds when Redis is down.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "liveblog.logins.locked_out_response"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

LOGIN_URL = "admin:login"

# Where the public site lives, for absolute links (feeds, canonical URLs).
SITE_NAME = env.str("SITE_NAME", default="Live")

# One line per event: JSON in production (LOG_FORMAT=json), readable text otherwise. Every
# line written during a request carries its id; see config.observability.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    refuse(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
# Seconds between the summary lines of WebSocket connects and closes (0: no summary).
LOG_WEBSOCKET_SUMMARY_SECONDS = env.float("LOG_WEBSOCKET_SUMMARY_SECONDS", default=60.0)

DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# Serve /static/ and /media/ from the application itself (the embedded default);
# behind nginx set SERVE_STATIC=false and let nginx serve both.
SERVE_STATIC = env.bool("SERVE_STATIC", default=DEBUG)

REST_FRAMEWORK = {
    # Token first: an unauthenticated write then gets 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "liveblog.api.errors.exception_handler",
    # Throttle identity = REMOTE_ADDR, never a client-sent X-Forwarded-For: uvicorn resolves
    # the client from nginx's header and trusts only nginx (deploy/serve.sh, issue 14 item 6).
    "NUM_PROXIES": 0,
    # Anonymous reads per client address, writes per user (liveblog.api.throttles).
    "DEFAULT_THROTTLE_CLASSES": [
        "liveblog.api.throttles.AnonReadThrottle",
        "liveblog.api.throttles.WriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon_read": env.str("API_ANON_READ_RATE", default="300/min"),
        "write": env.str("API_WRITE_RATE", default="120/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Live blog API",
    "DESCRIPTION": "Live blogs, their posts and election results. Reads are public; writes "
    "need a token (`Authorization: Token <key>`) or a newsroom session, and follow the same "
    "permissions as the admin.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page loads Swagger UI from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "BlogStatusEnum": "liveblog.models.LiveBlog.Status",
        "PostStatusEnum": "liveblog.models.Post.Status",
        "PostInputStatusEnum": ["draft", "published"],
    },
}

# Seconds a process may serve a cached anonymous page before re-reading the blog's seq
# (an event in the same process invalidates at once); see liveblog.pages.caching.
LIVEBLOG_SEQ_TTL = env.float("LIVEBLOG_SEQ_TTL", default=1.0)
# Rendered anonymous pages each process keeps in memory (liveblog.pages.store).
LIVEBLOG_PAGE_STORE_ENTRIES = env.int("LIVEBLOG_PAGE_STORE_ENTRIES", default=500)
# The live push (liveblog.live.hub): seconds between heartbeats (each carries the latest seq, and
# live pages treat two missed ones as a dead connection), and how many WebSocket readers one
# client address may hold open per process (0: no cap). Behind a proxy the address is the
# one uvicorn takes from X-Forwarded-For, for the proxies in --forwarded-allow-ips only.
LIVE_HEARTBEAT_SECONDS = env.float("LIVE_HEARTBEAT_SECONDS", default=25.0)
LIVE_MAX_CONNECTIONS_PER_ADDRESS = env.int("LIVE_MAX_CONNECTIONS_PER_ADDRESS", default=256)
# Live reader counts in the admin (liveblog.live.reader_counts): each process reports its readers
# every LIVE_READER_COUNT_SECONDS to the Redis of the push (in its own memory without REDIS_URL).
LIVE_READER_COUNT_SECONDS = env.float("LIVE_READER_COUNT_SECONDS", default=5.0)
LIVE_READER_COUNTS_URL = REDIS_URL
# Mastodon servers whose posts reporters may embed (host names, comma-separated); the
# default list lives in liveblog.media.embeds.
if env.str("MASTODON_INSTANCES", default=""):
    MASTODON_INSTANCES = env.list("MASTODON_INSTANCES")

# --- Content-Security-Policy (django-csp, config.csp) ------------------------------------------
# No inline script anywhere: pages load ES modules from our static files. Where a page cannot
# avoid an inline block (the admin's import map for the prose editor) it carries the request's
# nonce. Inline style attributes stay allowed: cards colour parties with CSS custom properties.
# The embed providers' frames are allowed, and consent.js inserts them only after a click.
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

from liveblog.media.embeds import DEFAULT_MASTODON_INSTANCES  # noqa: E402

EMBED_FRAME_ORIGINS = [
    "https://platform.twitter.com",
    "https://www.youtube-nocookie.com",
    "https://www.instagram.com",
    "https://www.facebook.com",
    "https://www.tiktok.com",
    "https://embed.bsky.app",
    *(
        f"https://{host.strip().lower()}"
        for host in env.list("MASTODON_INSTANCES", default=list(DEFAULT_MASTODON_INSTANCES))
        if host.strip()
    ),
]
# Who may frame our pages: ourselves only (and X-Frame-Options DENY). The embed pages alone
# may also be framed by partner sites (liveblog.pages.framing): a blog's embed by the sites
# its settings list, the results embeds by EMBED_ORIGINS (https origins, comma-separated).
# The admin's prose editor (Tiptap) injects one fixed <style> element; its hash allows it.
# tests/e2e/test_csp.py fails if an upgrade of django-prose-editor changes it.
PROSE_EDITOR_STYLE_HASHES = ["'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"]
FRAME_ANCESTORS = [SELF]
EMBED_ORIGINS = check_embed_origins(env.list("EMBED_ORIGINS", default=[]))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, *PROSE_EDITOR_STYLE_HASHES],
        "style-src-attr": [UNSAFE_INLINE],
        # Our own media; 'self' also covers MEDIA_URL. CSP_IMG_SRC adds a media host.
        "img-src": [SELF, *env.list("CSP_IMG_SRC", default=[])],
        "font-src": [SELF],
        # The live page's WebSocket is same-origin ('self' covers ws: and wss: to this host);
        # CSP_CONNECT_SRC adds another (e.g. wss://live.example.org).
        "connect-src": [SELF, *env.list("CSP_CONNECT_SRC", default=[])],
        "frame-src": EMBED_FRAME_ORIGINS,
        "frame-ancestors": FRAME_ANCESTORS,
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}
if env.str("CSP_REPORT_URI", default=""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = env.str("CSP_REPORT_URI")

# --- Error reporting -----------------------------------------------------------------------------
# Sentry's SDK when SENTRY_DSN is set (pip install 'liveblog[sentry]'); nothing is imported
# otherwise.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config.observability import init_error_reporting

    init_error_reporting(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
    )
