"""What the live page tells live.js about the push (liveblog.live.hub)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def live_heartbeat_seconds() -> str:
    """Seconds between the hub's heartbeats; the page treats two missed ones as a dead
    connection."""
    return f"{float(getattr(settings, 'LIVE_HEARTBEAT_SECONDS', 25.0)):g}"
