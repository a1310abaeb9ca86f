from django.urls import URLPattern

# The live WebSocket endpoint arrives with the live-push work (issue 4).
websocket_urlpatterns: list[URLPattern] = []
