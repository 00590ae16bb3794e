"""OpenAPI generation: every operation documents the tenant header and its error answers."""

from __future__ import annotations

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from core.dates import EARLIEST_DATE, LATEST_DATE
from core.parsers import MAX_JSON_DEPTH
from core.serializers import ErrorSerializer, StateConflictSerializer
from core.tenancy import TENANT_HEADER, Access

# Answers any operation can give, whatever its view: the host, the tenant header and a
# bearer token are checked for every request before the view runs.
COMMON_ERRORS = {
    "400": f"Invalid input (errors keyed by field; dates outside {EARLIEST_DATE} to {LATEST_DATE} included), "
    f"a body that cannot be read (`parse_error`) or is JSON nested over {MAX_JSON_DEPTH} deep "
    "(`nesting_too_deep`), an unknown host, or no business named (code `tenant_required`).",
    "401": "Missing, invalid or stale credentials.",
    "403": "Not allowed: another business's account (`tenant_mismatch`), an inactive business, or a role.",
    "404": "Not found, or the business named by the header or host does not exist.",
}
WRITE_ERRORS = {"409": "Conflicts with existing data (e.g. a concurrent write)."}
THROTTLED = {"429": "Too many requests; retry later."}
# Answers of any request of a business (core.tenancy.runtime.governance).
GOVERNED = {
    "429": "The business has too many requests in progress (code `business_busy`); retry after `Retry-After`.",
    "503": "A database statement ran past the business's time limit and was stopped (code `statement_timeout`).",
}
# The 409 of an action that moves a row from one state to another (core/transitions.py).
STATE_CONFLICT = OpenApiResponse(
    StateConflictSerializer,
    description="The row's state changed while the request was being handled: another request moved it first "
    "(code `state_conflict`; `current_state` is its state now). Also any other conflicting write (code `conflict`).",
)


class TenantJWTScheme(SimpleJWTScheme):
    target_class = "core.tenancy.TenantJWTAuthentication"
    name = "jwtAuth"


class PlatformAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        parent_kwarg = getattr(self.view, "parent_lookup_kwarg", None)
        if parent_kwarg:
            parent = self.view.parent_model()._meta.verbose_name
            parameters.append(
                OpenApiParameter(parent_kwarg, OpenApiTypes.INT, OpenApiParameter.PATH, description=f"The {parent}.")
            )
        if getattr(self.view, "tenancy_access", None) in (Access.TENANT, Access.PUBLIC):
            parameters.append(
                OpenApiParameter(
                    TENANT_HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=False,
                    description="The business to act in (sent by each business's frontend). "
                    "Must match the signed-in user's business.",
                )
            )
        return parameters

    def _get_response_bodies(self, direction: str = "response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(COMMON_ERRORS)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors.update(WRITE_ERRORS)
        if getattr(self.view, "throttle_classes", None):
            errors.update(THROTTLED)
        if getattr(self.view, "tenancy_access", None) in (Access.TENANT, Access.PUBLIC):
            for code, description in GOVERNED.items():
                errors[code] = f"{errors[code]} Or: {description}" if code in errors else description
        for code, description in errors.items():
            if code in responses:
                continue
            body = OpenApiTypes.OBJECT if code == "400" else ErrorSerializer
            response = self._get_response_for_code(body, code, direction=direction)
            response["description"] = description
            responses[code] = response
        return responses
