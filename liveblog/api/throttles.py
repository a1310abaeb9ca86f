"""Throttles for the API: anonymous reads per client address, writes per user.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] and are read on each request (DRF's
own classes copy them when imported, so settings overrides in tests would not apply).
"""

from typing import TYPE_CHECKING

from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:  # rest_framework.views imports this module through the settings
    from rest_framework.views import APIView


class _RateFromSettings(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # The stubs type the rates as numbers; DRF's are strings such as "60/min".
        rates: dict[str, str | None] = api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[assignment]
        return rates.get(self.scope) if self.scope else None


class AnonReadThrottle(_RateFromSettings):
    """Anonymous GETs, per client address (readers normally come through the CDN)."""

    scope = "anon_read"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if request.method not in SAFE_METHODS or request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class WriteThrottle(_RateFromSettings):
    """Writes, per signed-in user (anonymous writes are refused before this counts)."""

    scope = "write"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if request.method in SAFE_METHODS or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
