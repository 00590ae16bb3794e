"""The comms app's WebSocket routes (config/asgi.py)."""

from django.urls import path

from comms.consumers import CommsConsumer

websocket_urlpatterns = [path("ws/comms/", CommsConsumer.as_asgi())]
