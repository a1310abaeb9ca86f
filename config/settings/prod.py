"""Production: everything from the environment; refuses to start half-configured.

`manage.py check --deploy --fail-level WARNING` runs clean with these settings (CI runs it).
"""

from config.observability import logging_config
from config.settings.base import *  # noqa: F403
from config.settings.base import env
from config.settings.validation import refuse

if env.bool("DEBUG", default=False):
    refuse("DEBUG is on in production settings; unset DEBUG (or use config.settings.dev)")
DEBUG = False
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))

# nginx terminates TLS and says so in X-Forwarded-Proto (deploy/); only it reaches the app.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health checks inside the stack talk plain HTTP to the app directly, without the proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Preloading is a decision for the owner of the registrable domain (a live blog usually
    # runs on a subdomain), not a default: check --deploy's reminder about it is silenced.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.HashedModulesStorage"},
}
