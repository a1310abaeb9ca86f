"""The page a throttled login gets (django-axes counts the attempts; see settings)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

MSG_LOCKED_OUT = (
    "Too many wrong passwords for this login from your address, so logging in is paused "
    "for {minutes} minutes. Try again after that, or ask an editor to unlock it."
)


def lockout_minutes() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def locked_out_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """429 with a page saying why and for how long (AXES_LOCKOUT_CALLABLE)."""
    response = TemplateResponse(
        request,
        "liveblog/login_locked_out.html",
        {"message": MSG_LOCKED_OUT.format(minutes=lockout_minutes())},
        status=429,
    )
    response["Retry-After"] = str(lockout_minutes() * 60)
    return response.render()
