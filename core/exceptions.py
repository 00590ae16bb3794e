"""JSON errors everywhere, and never a 500 for something the client sent."""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, JsonResponse
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler, set_rollback

from core.tenancy import write_conflict
from core.transitions import StateConflict

logger = logging.getLogger(__name__)


def json_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, StateConflict):
        # Another request moved the row first; the client learns where it is now.
        set_rollback()
        return Response(
            {"detail": exc.detail, "code": exc.code, "current_state": exc.current_state},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; the client sees DRF's 400 shape.
        exc = ValidationError(as_serializer_error(exc))
    elif isinstance(exc, ObjectDoesNotExist):
        # A service re-reading a row under lock finds it deleted by a concurrent request.
        exc = NotFound()
    response = exception_handler(exc, context)
    if response is not None:
        if isinstance(response.data, dict) and set(response.data) == {"detail"}:
            response.data["code"] = _code_of(exc, response.status_code)
        return response
    if isinstance(exc, ProtectedError | RestrictedError):
        set_rollback()
        return Response(
            {"detail": "This is still in use by other records; deactivate it instead.", "code": "in_use"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        # Validation should have caught it; a race with a concurrent write lands here.
        logger.warning("integrity error turned into 409: %s", exc)
        set_rollback()
        conflict = write_conflict()
        return Response({"detail": conflict.detail, "code": conflict.code}, status=conflict.status_code)
    return None


def _code_of(exc: Exception, status_code: int) -> str:
    codes = exc.get_codes() if hasattr(exc, "get_codes") else None
    if isinstance(codes, str):
        return codes
    return {404: "not_found", 403: "permission_denied"}.get(status_code, "error")


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)


def json_permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Permission denied.", "code": "permission_denied"}, status=403)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Server error.", "code": "server_error"}, status=500)
