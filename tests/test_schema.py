"""The OpenAPI schema documents every endpoint, parameter and error answer."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from core.tenancy import api_views


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    target = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return yaml.safe_load(target.read_text())


def _as_openapi_path(route: str) -> str:
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    route = route.replace("\\.", ".").replace("{pk}", "{id}")  # drf-spectacular names pk "id"
    return "/" + route


def test_every_api_route_is_in_the_schema(schema):
    documented = set(schema["paths"])
    routes = {_as_openapi_path(route) for route, _view, _entry in api_views()}
    routes -= {"/api/schema/", "/api/docs/", "/api/redoc/"}
    missing = {route for route in routes if route not in documented}
    assert not missing


def test_every_operation_documents_the_tenancy_answers(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404"} <= codes, (method, path, codes)
            if method in ("post", "put", "patch", "delete"):
                assert "409" in codes, (method, path)


def test_tenant_endpoints_document_the_tenant_header(schema):
    for path, operations in schema["paths"].items():
        if path.startswith("/api/auth/token") or path == "/api/auth/me/":
            continue
        for method, operation in operations.items():
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            assert "X-Tenant-Slug" in headers, (method, path)


def test_schema_and_docs_are_served_to_anyone(db):
    assert APIClient().get("/api/schema/").status_code == 200
    assert APIClient().get("/api/docs/").status_code == 200


def test_login_documents_the_lockout_and_both_token_endpoints_the_business_header(schema):
    login = schema["paths"]["/api/auth/token/"]["post"]
    assert "429" in login["responses"]
    assert "Retry-After" in login["responses"]["429"]["description"]
    for path in ("/api/auth/token/", "/api/auth/token/refresh/"):
        headers = {p["name"] for p in schema["paths"][path]["post"].get("parameters", []) if p["in"] == "header"}
        assert "X-Tenant-Slug" in headers, path
