"""The context of a WebSocket: a request id (trusted as for HTTP, or new) and the route
of its URL pattern, bound for the life of the connection, so every line its consumer
logs (and every statement its queries run) names it."""

from __future__ import annotations

import logging
from typing import Any

from core.network import address_is_trusted_proxy

from . import context

logger = logging.getLogger("nbne.sockets")


class SocketContext:
    """ASGI middleware around the WebSocket router (``config/asgi.py``)."""

    def __init__(self, app: Any, urlpatterns: list) -> None:
        self.app = app
        self.urlpatterns = urlpatterns

    def route_of(self, path: str) -> str:
        for pattern in self.urlpatterns:
            if pattern.pattern.match(path.lstrip("/")):
                return f"ws:{pattern.name or pattern.pattern}"
        return "ws:unmatched"

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        if scope.get("type") != "websocket":
            return await self.app(scope, receive, send)
        request_id = None
        peer = (scope.get("client") or ("", 0))[0]
        if address_is_trusted_proxy(peer):
            headers = dict(scope.get("headers") or [])
            raw = headers.get(context.REQUEST_ID_HEADER.lower().encode(), b"")
            request_id = context.trusted_request_id(raw.decode("latin-1"))
        with context.bound(request_id=request_id or context.new_request_id(), route=self.route_of(scope["path"])):
            logger.info("socket opened")
            try:
                return await self.app(scope, receive, send)
            finally:
                logger.info("socket closed")
