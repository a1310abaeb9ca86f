"""Content-Security-Policy: django-csp's middleware with the header built once per process,
and a template filter for nonces (the policy itself is in settings).

Building the header takes django-csp about 90 µs, on every response; the anonymous live
page is served in about a millisecond, so `CSPMiddleware` keeps the built header for the
common case (no per-view change, no nonce used) and leaves every other response to django-csp.

`{% load csp_media %}{{ media|with_csp_nonce:request }}` renders a form's media with the request's
nonce on every script tag and on the import map: the admin's prose editor needs an inline
`<script type="importmap">`, the one inline script the policy lets through (by nonce).
"""

from functools import cache
from typing import Any

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase
from js_asset import Media

register = template.Library()

_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")


@cache
def _default_policy() -> str:
    return build_policy()


@receiver(setting_changed)
def _forget_policy(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _default_policy.cache_clear()


class CSPMiddleware(DjangoCSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            getattr(request, "_csp_nonce", None) is None
            and not any(hasattr(response, name) for name in _PER_RESPONSE)
            and not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            and not (settings.DEBUG and response.status_code in (404, 500))
            and not getattr(settings, "CONTENT_SECURITY_POLICY", {}).get("EXCLUDE_URL_PREFIXES")
        ):
            if HEADER not in response:
                response[HEADER] = _default_policy()
            # As django-csp does: reading the nonce after the header is written is an error.
            too_late = CheckableLazyObject(self._csp_nonce_post_response)
            setattr(request, "csp_nonce", too_late)  # noqa: B010
            return response
        return super().process_response(request, response)


@register.filter
def with_csp_nonce(media: Any, request: HttpRequest | None) -> Media:
    # str(): request.csp_nonce is lazy, and falsy until read (django-csp adds it to the header
    # only once read).
    nonce = str(request.csp_nonce) if request is not None and hasattr(request, "csp_nonce") else ""
    return Media.from_media(media, nonce=nonce)
