"""Settings shared by every environment; environment variables switch what differs.

Everything a deployment changes comes from the environment (see README, "Configuration").
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY")
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
    "liveblog",
    "results",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
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
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
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
REDIS_URL = env.str("REDIS_URL", default="")
# Each server process holds one subscription per blog (liveblog.hub), so the pub/sub layer
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

# Rendered reader pages (one per blog seq and page, liveblog.caching) and API throttle counts.
# Per process in memory by default; with REDIS_URL shared by every process. The cache keeps
# its own key prefix, and REDIS_CACHE_URL may point it at another Redis database: never call
# cache.clear() on a database the channel layer uses (it flushes the whole database).
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=REDIS_URL)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "liveblog-cache",
            "TIMEOUT": 600,
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

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
# (an event in the same process invalidates at once); see liveblog.caching.
LIVEBLOG_SEQ_TTL = env.float("LIVEBLOG_SEQ_TTL", default=1.0)
# The live push (liveblog.hub): seconds between heartbeats (each carries the latest seq, and
# live pages treat two missed ones as a dead connection), and how many WebSocket readers one
# client address may hold open per process (0: no cap). Behind a proxy the address is the
# one uvicorn takes from X-Forwarded-For, for the proxies in --forwarded-allow-ips only.
LIVE_HEARTBEAT_SECONDS = env.float("LIVE_HEARTBEAT_SECONDS", default=25.0)
LIVE_MAX_CONNECTIONS_PER_ADDRESS = env.int("LIVE_MAX_CONNECTIONS_PER_ADDRESS", default=256)
# Mastodon servers whose posts reporters may embed (host names, comma-separated); the
# default list lives in liveblog.embeds.
if env.str("MASTODON_INSTANCES", default=""):
    MASTODON_INSTANCES = env.list("MASTODON_INSTANCES")
