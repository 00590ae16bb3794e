"""The ASGI application the Procfile's ``web`` line serves: HTTP through Django, and the
WebSockets of comms through Django Channels, in the same process."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()  # sets Django up before anything imports models

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator, WebsocketDenier  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import re_path  # noqa: E402

from comms.routing import websocket_urlpatterns  # noqa: E402
from core.observability.sockets import SocketContext  # noqa: E402

from .celery import announce_task_mode  # noqa: E402  (after Django is set up)

# The host and X-Tenant-Slug of a socket are checked by the tenancy rules of HTTP when it
# opens (core.tenancy.socket_session_open), not by ALLOWED_HOSTS: custom domains are data.
application = ProtocolTypeRouter(
    {
        "http": django_application,
        # Every socket gets a request id and its route, for its log lines and queries.
        "websocket": SocketContext(
            OriginValidator(
                # Any other path is refused at the handshake, not logged as a routing error.
                URLRouter([*websocket_urlpatterns, re_path(r"", WebsocketDenier.as_asgi())]),
                settings.WEBSOCKET_ALLOWED_ORIGINS,
            ),
            websocket_urlpatterns,
        ),
    }
)

announce_task_mode()
