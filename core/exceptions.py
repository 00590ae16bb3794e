"""JSON errors everywhere, and never a 500 for something the client sent."""

from __future__ import annotations

import logging

from django.db import IntegrityError
from django.http import HttpRequest, JsonResponse
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

logger = logging.getLogger(__name__)


def json_exception_handler(exc: Exception, context: dict) -> Response | None:
    response = exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, IntegrityError):
        # Validation should have caught it; a race with a concurrent write lands here.
        logger.warning("integrity error turned into 409: %s", exc)
        set_rollback()
        return Response(
            {"detail": "The change conflicts with existing data; reload and try again.", "code": "conflict"},
            status=status.HTTP_409_CONFLICT,
        )
    return None


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)


def json_permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Permission denied.", "code": "permission_denied"}, status=403)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Server error.", "code": "server_error"}, status=500)
