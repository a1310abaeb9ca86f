"""ASGI entry point: HTTP through Django, WebSockets through Channels.

The same application runs under Daphne (`make run`) and uvicorn.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from config.observability import RequestLogApp  # noqa: E402
from liveblog.live.routing import websocket_application  # noqa: E402
from liveblog.pages.asgi import AnonymousPageApp, ASGIApp  # noqa: E402

# Anonymous readers of stored pages are answered in front of Django (liveblog.pages.asgi).
# django-stubs types Django's ASGI handlers narrower than the interface they implement (a dict
# scope; only an ASGIHandler to wrap), so the two ignores below: any ASGI app fits both ways.
http_app: ASGIApp = AnonymousPageApp(django_asgi_app)  # type: ignore[arg-type]
if settings.SERVE_STATIC:
    # The embedded default has no nginx in front; production sets SERVE_STATIC=false.
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    http_app = ASGIStaticFilesHandler(http_app)  # type: ignore[arg-type,assignment]

application = ProtocolTypeRouter(
    {
        # Outermost: every HTTP answer gets its request id and its access line.
        "http": RequestLogApp(http_app),
        "websocket": AllowedHostsOriginValidator(websocket_application),
    }
)
