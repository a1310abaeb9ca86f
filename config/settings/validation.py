"""Refuse to start half-configured, in one line that says what to fix (not a traceback).

A setting that is wrong in the environment raises `refuse(...)`: SystemExit with a single
line on stderr and exit status 1, under manage.py, Daphne and uvicorn alike.
"""

from typing import NoReturn
from urllib.parse import SplitResult, urlsplit

PREFIX = "liveblog: refusing to start:"

DATABASE_SCHEMES = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "pgsql": "postgres",
    "sqlite": "sqlite",
}
REDIS_SCHEMES = ("redis", "rediss", "unix")


def refuse(message: str) -> NoReturn:
    raise SystemExit(f"{PREFIX} {message}")


def _port_of(parts: SplitResult, name: str) -> None:
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number in range)
    except ValueError:
        refuse(f"{name} has an invalid port: {_redacted(parts)}")


def _redacted(parts: SplitResult) -> str:
    """The URL without its password, for the error line."""
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in userinfo else f"{user}@{host}"
    return parts._replace(netloc=netloc).geturl()


def check_secret_key(value: str | None) -> str:
    if value is None or not value.strip():
        refuse("SECRET_KEY is empty; set it to a long random string (50+ characters)")
    return value


def check_embed_origins(values: list[str]) -> list[str]:
    """EMBED_ORIGINS as canonical https origins (liveblog.pages.framing)."""
    from django.core.exceptions import ValidationError

    from liveblog.pages.framing import parse_origins

    try:
        return parse_origins(values)
    except ValidationError as exc:
        refuse(f"EMBED_ORIGINS: {' '.join(exc.messages)}")


def check_database_url(value: str) -> str:
    """A PostgreSQL or SQLite URL that django-environ can turn into DATABASES."""
    hint = "use postgres://user:password@host:5432/name or sqlite:///path/to/db.sqlite3"
    parts = urlsplit(value.strip())
    kind = DATABASE_SCHEMES.get(parts.scheme.lower())
    if kind is None:
        shown = _redacted(parts) if parts.scheme else value[:60]
        refuse(f"DATABASE_URL is not a database URL ({shown!r}); {hint}")
    _port_of(parts, "DATABASE_URL")
    if kind == "postgres" and (not parts.hostname or not parts.path.strip("/")):
        refuse(f"DATABASE_URL needs a host and a database name ({_redacted(parts)}); {hint}")
    if kind == "sqlite" and not (parts.path.strip("/") or parts.netloc):
        refuse(f"DATABASE_URL needs a file path ({value!r}); {hint}")
    return value


def check_redis_url(value: str, *, name: str = "REDIS_URL") -> str:
    """Empty (Redis off) or a redis://, rediss:// or unix:// URL."""
    if not value:
        return value
    hint = "use redis://host:6379/0 (or leave it unset to run without Redis)"
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in REDIS_SCHEMES:
        shown = _redacted(parts) if parts.scheme else value[:60]
        refuse(f"{name} is not a Redis URL ({shown!r}); {hint}")
    _port_of(parts, name)
    if parts.scheme.lower() == "unix":
        if not parts.path:
            refuse(f"{name} needs a socket path ({value!r}); {hint}")
        return value
    if not parts.hostname:
        refuse(f"{name} needs a host ({_redacted(parts)}); {hint}")
    database = parts.path.strip("/")
    if database and not database.isdigit():
        refuse(f"{name} database must be a number, not {database!r}; {hint}")
    return value
