"""Who may frame a page: the partner origins of embeds, checked, and put in frame-ancestors.

Our pages are framed by ourselves only (settings: frame-ancestors 'self', X-Frame-Options
DENY). The embed pages (/embed/live/<slug>/, /embed/results/...) may also be framed by the
origins a blog lists (LiveBlog.embed_origins) or, for results, by settings.EMBED_ORIGINS.

An origin goes into a header, so it is accepted only in one exact shape, `https://host` or
`https://host:port`, lower case: no path, query, user, wildcard, space or semicolon can
reach the policy. What is stored is rebuilt from the parsed parts, never the typed text.
"""

import re
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpResponseBase

MAX_EMBED_ORIGINS = 20
MAX_ORIGIN_LENGTH = 200

MSG_NOT_AN_ORIGIN = (
    "“%(value)s” is not a site address. Give each partner site as https://name.example "
    "(https, the host name, an optional :port; no path, no *)."
)
MSG_TOO_MANY_ORIGINS = "At most %(limit)d partner sites; remove some."
MSG_NOT_A_LIST = "Partner sites are a list of https:// addresses."

# A DNS name of at least two labels: letters, digits and inner hyphens (IDNs as punycode).
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_ORIGIN = re.compile(rf"https://(?P<host>{_LABEL}(?:\.{_LABEL})+)(?::(?P<port>[0-9]{{1,5}}))?/?")


def normalise_origin(text: str) -> str:
    """`text` as a canonical https origin, or ValidationError saying how to write one."""
    value = text.strip()
    match = _ORIGIN.fullmatch(value.lower()) if len(value) <= MAX_ORIGIN_LENGTH else None
    port = int(match.group("port")) if match and match.group("port") else None
    if (
        match is None
        or len(match.group("host")) > 253
        or (port is not None and not 0 < port < 65536)
    ):
        raise ValidationError(
            MSG_NOT_AN_ORIGIN, code="invalid_origin", params={"value": value[:80]}
        )
    host = match.group("host")
    return f"https://{host}" if port in (None, 443) else f"https://{host}:{port}"


def parse_origins(values: Iterable[str]) -> list[str]:
    """Canonical origins of `values` in their order, duplicates dropped; every bad entry is
    reported (ValidationError with one error each), as is a list that is too long."""
    origins: list[str] = []
    errors: list[ValidationError] = []
    for value in values:
        if not value.strip():
            continue
        try:
            origin = normalise_origin(value)
        except ValidationError as exc:
            errors.append(exc)
            continue
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_EMBED_ORIGINS:
        errors.append(
            ValidationError(
                MSG_TOO_MANY_ORIGINS, code="too_many_origins", params={"limit": MAX_EMBED_ORIGINS}
            )
        )
    if errors:
        raise ValidationError(errors[:10])
    return origins


def validate_embed_origins(value: Any) -> None:
    """Model validator: a list of canonical origins, as parse_origins makes them."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(MSG_NOT_A_LIST, code="invalid_origins")
    if parse_origins(value) != value:
        raise ValidationError(MSG_NOT_A_LIST, code="invalid_origins")


def frame_ancestors(origins: Sequence[str]) -> list[str]:
    """The directive's sources: ourselves and `origins`. Anything not in canonical form is
    dropped (the model validates, but a header is no place to trust stored text)."""
    return ["'self'", *(o for o in origins if _is_canonical(o))]


def _is_canonical(origin: str) -> bool:
    try:
        return normalise_origin(origin) == origin
    except ValidationError:
        return False


Response = TypeVar("Response", bound=HttpResponseBase)


def allow_framing(response: Response, origins: Sequence[str] | None) -> Response:
    """Let `origins` (and ourselves) frame `response`; None leaves the site's policy (framed
    by ourselves only). Origins must be canonical (parse_origins)."""
    if origins is None:
        return response
    # django-csp builds the header with this directive replaced (config.csp).
    response._csp_replace = {"frame-ancestors": frame_ancestors(origins)}  # type: ignore[attr-defined]
    # X-Frame-Options cannot name origins; browsers that know CSP ignore it where
    # frame-ancestors is set, and the others would refuse every partner.
    response.xframe_options_exempt = True  # type: ignore[attr-defined]
    return response
