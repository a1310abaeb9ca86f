from django.urls import path

from .consumers import LiveConsumer

websocket_urlpatterns = [
    path("ws/live/<slug:slug>/", LiveConsumer.as_asgi()),
]
