"""Each request's id, route, access line and metrics; ``/metrics`` itself.

First in ``MIDDLEWARE``, so it times and tags everything the other layers do, the
tenancy's resolution included.

The request id is the ``X-Request-ID`` the request came with when it is *trusted*: sent
by a peer in ``TRUSTED_PROXIES`` (the frontend's server-side proxy, a load balancer) and
of the form :data:`core.observability.context.TRUSTED_REQUEST_ID`; otherwise a new one.
Either way it is echoed in the response's ``X-Request-ID``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from core.network import client_address, peer_is_trusted_proxy

from . import context, metrics
from .logs import user_id_of
from .sql import database_time_counted

access_log = logging.getLogger("nbne.access")
METRICS_PATH = "/metrics"


def route_of(path: str) -> str:
    """The URL pattern's name (``booking-detail``), or its pattern, never the raw path."""
    try:
        match = resolve(path)
    except Resolver404:
        return "unmatched"
    return match.view_name or match.route


def request_id_of(request: HttpRequest) -> str:
    if peer_is_trusted_proxy(request):
        trusted = context.trusted_request_id(request.headers.get(context.REQUEST_ID_HEADER))
        if trusted:
            return trusted
    return context.new_request_id()


class ObservabilityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.rstrip("/") == METRICS_PATH:
            return metrics.metrics_response(request)
        started = time.perf_counter()
        request_id = request_id_of(request)
        request.request_id = request_id
        route = route_of(request.path_info)
        with context.bound(request_id=request_id, route=route, request=request, user_id=None):
            with database_time_counted() as database:
                response = self.get_response(request)
            seconds = time.perf_counter() - started
            response[context.REQUEST_ID_HEADER] = request_id
            tenant = getattr(request, "tenant", None)
            metrics.observe_request(
                slug=getattr(tenant, "slug", None),
                method=request.method or "",
                status=response.status_code,
                seconds=seconds,
                route=route,
                database=(database.seconds, database.statements),
            )
            exempt = request.path_info.startswith(settings.TENANCY_EXEMPT_PATHS)
            access_log.log(
                logging.DEBUG if exempt else logging.INFO,
                "%s %s %s %.1fms",
                request.method,
                route,
                response.status_code,
                seconds * 1000,
                extra={
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 2),
                    "db_ms": round(database.seconds * 1000, 2),
                    "db_statements": database.statements,
                    "tenant_id": getattr(tenant, "pk", None),
                    "tenant_slug": getattr(tenant, "slug", None),
                    "user_id": user_id_of(request),
                    "client": client_address(request),
                },
            )
        return response
