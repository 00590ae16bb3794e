"""Hostile input gets a 400, never a 500: JSON nested too deep."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from bookings.factories import ClientFactory, ServiceFactory, StaffFactory
from bookings.models import Booking, Client
from core.models import BusinessEvent, TenantSettings
from core.parsers import MAX_JSON_DEPTH, json_nesting_exceeds
from core.tenancy.checks import api_views
from core.tenancy.context import unscoped_all_tenants
from crm.models import Lead
from documents.models import Document

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/bookings/bookings/"
PUBLIC_BOOKINGS = "/api/bookings/public/bookings/"
SETTINGS = "/api/tenant/settings/"


def nested(depth: int) -> str:
    """A JSON object whose ``name`` holds lists inside lists: ``depth`` containers in all."""
    return '{"name": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def rows_written() -> dict[str, int]:
    with unscoped_all_tenants("test: counting what a request wrote"):
        return {model.__name__: model.objects.count() for model in (Client, Booking, Document, Lead, BusinessEvent)}


@pytest.fixture
def salon(tenant_a):
    return {
        "service": ServiceFactory(tenant=tenant_a, name="Cut", duration_minutes=45),
        "staff": StaffFactory(tenant=tenant_a, name="Aisha"),
        "client": ClientFactory(tenant=tenant_a, name="Ben"),
    }


# JSON nested too deep ---------------------------------------------------------------


WRITES = [
    ("post", "/api/bookings/clients/"),
    ("post", BOOKINGS),
    ("patch", SETTINGS),
    ("post", "/api/crm/leads/"),
    ("post", "/api/documents/documents/"),  # multipart, and JSON for its other writes
]


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000, 50_000])
@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_body_nested_too_deep_is_a_400_that_writes_nothing(client_a, tenant_a, method, path, depth):
    before = rows_written()

    response = client_a.generic(method.upper(), path, nested(depth), content_type="application/json")

    assert response.status_code == 400, response.content
    assert response.json() == {
        "detail": f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.",
        "code": "nesting_too_deep",
    }
    assert rows_written() == before
    assert TenantSettings.objects.get(pk=tenant_a.pk).name == tenant_a.name


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000])
def test_the_anonymous_public_booking_refuses_a_body_nested_too_deep(tenant_a, salon, depth):
    before = rows_written()

    response = APIClient().generic(
        "POST", PUBLIC_BOOKINGS, nested(depth), content_type="application/json", HTTP_X_TENANT_SLUG="tenant-a"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "nesting_too_deep"
    assert rows_written() == before


def test_the_login_refuses_a_body_nested_too_deep(tenant_a):
    response = APIClient().generic("POST", "/api/auth/token/", nested(1000), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "nesting_too_deep"


def test_a_body_at_the_limit_reaches_the_serializer(client_a):
    response = client_a.generic(
        "POST", "/api/bookings/clients/", nested(MAX_JSON_DEPTH), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"name": ["Not a valid string."]}


def test_nesting_is_measured_without_recursion():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert json_nesting_exceeds(deep)
    assert not json_nesting_exceeds({"a": [1, {"b": [2]}]}, limit=4)
    assert json_nesting_exceeds({"a": [1, {"b": [2]}]}, limit=3)
    assert not json_nesting_exceeds("just a string")


def test_every_api_view_parses_with_the_projects_parsers():
    """A view with parsers of its own (uploads) must take them from core.parsers, or its
    JSON bodies escape the nesting limit."""
    for route, view, _entry in api_views():
        for parser in view.parser_classes:
            assert parser.__module__ == "core.parsers", (route, parser)


def multipart_with_fields(count: int) -> tuple[bytes, str]:
    boundary = "hostile"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="f{n}"\r\n\r\nv\r\n' for n in range(count)]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


def test_an_upload_with_too_many_fields_is_the_usual_json_400(client_a, settings):
    body, content_type = multipart_with_fields(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    before = rows_written()

    response = client_a.generic("POST", "/api/documents/documents/", body, content_type=content_type)

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in response.json()["detail"]
    assert rows_written() == before


def test_a_form_with_too_many_fields_is_the_usual_json_400(client_a, settings):
    body = "&".join(f"f{n}=v" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    response = client_a.generic(
        "POST", "/api/documents/documents/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
