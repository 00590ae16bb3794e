"""Hostile input gets a 400, never a 500: JSON nested too deep, dates at the edge of
Python's range, and a business's time zone that does not exist."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client as HttpClient
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from bookings.factories import BookingFactory, ClientFactory, ServiceFactory, StaffFactory, next_slot
from bookings.models import Booking, Client
from bookings.services import booking_create
from core.dates import EARLIEST_DATE, LATEST_DATE, OUT_OF_RANGE_MESSAGE
from core.models import BusinessEvent, TenantSettings
from core.parsers import MAX_JSON_DEPTH, json_nesting_exceeds
from core.references import public_reference as ref
from core.tenancy import api_views, tenant_context, unscoped_all_tenants
from core.timezones import unknown_zone_warned
from crm.models import Lead
from documents.models import Document
from tests.test_custom_domains import admin_form

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/bookings/bookings/"
PUBLIC_BOOKINGS = "/api/bookings/public/bookings/"
SLOTS = "/api/bookings/public/slots/"
SETTINGS = "/api/tenant/settings/"
DASHBOARD = "/api/bookings/dashboard/"
OVERFLOWING_START = "9999-12-31T23:59Z"


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


# Dates whose derived times overflow ---------------------------------------------------


def test_a_booking_whose_end_overflows_is_a_400_naming_the_start(client_a, salon):
    response = client_a.post(
        BOOKINGS,
        {"client": salon["client"].pk, "service": salon["service"].pk, "staff": salon["staff"].pk}
        | {"starts_at": OVERFLOWING_START},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"starts_at": [OUT_OF_RANGE_MESSAGE]}
    assert rows_written()["Booking"] == 0


def test_moving_a_booking_to_an_overflowing_start_is_a_400_that_keeps_it(client_a, tenant_a, salon):
    booking = BookingFactory(tenant=tenant_a, service=salon["service"], staff=salon["staff"], client=salon["client"])
    booked = (booking.starts_at, booking.ends_at)

    response = client_a.patch(f"{BOOKINGS}{booking.pk}/", {"starts_at": OVERFLOWING_START}, format="json")

    assert response.status_code == 400
    assert response.json() == {"starts_at": [OUT_OF_RANGE_MESSAGE]}
    with tenant_context(tenant_a):
        booking.refresh_from_db()
    assert (booking.starts_at, booking.ends_at) == booked


def test_the_last_day_accepted_still_books(client_a, salon):
    response = client_a.post(
        BOOKINGS,
        {"client": salon["client"].pk, "service": salon["service"].pk, "staff": salon["staff"].pk}
        | {"starts_at": f"{LATEST_DATE.isoformat()}T23:00:00Z"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["ends_at"].startswith("2999-12-31T23:45")


def test_the_bookings_service_refuses_an_overflowing_start_for_every_caller(tenant_a, salon):
    """The admin's booking form and seeders reach the service without the API's fields."""
    with tenant_context(tenant_a), pytest.raises(ValidationError) as refused:
        booking_create(tenant=tenant_a, starts_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC), **salon)

    assert refused.value.message_dict == {"starts_at": [OUT_OF_RANGE_MESSAGE]}
    assert rows_written()["Booking"] == 0


def test_an_overflowing_public_booking_is_a_400(tenant_a, salon):
    response = APIClient().post(
        PUBLIC_BOOKINGS,
        {"service": ref(salon["service"]), "starts_at": OVERFLOWING_START, "name": "Eve", "email": "eve@example.com"},
        format="json",
        HTTP_X_TENANT_SLUG="tenant-a",
    )

    assert response.status_code == 400
    assert response.json() == {"starts_at": [OUT_OF_RANGE_MESSAGE]}
    assert rows_written()["Booking"] == 0


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "3000-01-01", "1899-12-31"])
def test_public_slots_on_a_day_out_of_range_are_a_400(tenant_a, salon, day):
    response = APIClient().get(SLOTS, {"service": ref(salon["service"]), "date": day}, HTTP_X_TENANT_SLUG="tenant-a")

    assert response.status_code == 400
    assert response.json() == {"date": [OUT_OF_RANGE_MESSAGE]}


@pytest.mark.parametrize(
    ("path", "parameter", "value"),
    [
        (BOOKINGS, "date", "9999-12-31"),
        (BOOKINGS, "starts_before", "9999-12-31T23:59:59Z"),
        ("/api/staff/shifts/", "date", "9999-12-31"),
        ("/api/payments/sessions/", "date", "9999-12-31"),
        ("/api/crm/leads/", "follow_up_before", "0001-01-01"),
    ],
)
def test_a_date_filter_out_of_range_is_a_400_naming_it(client_a, path, parameter, value):
    response = client_a.get(path, {parameter: value})

    assert response.status_code == 400
    assert response.json() == {parameter: [OUT_OF_RANGE_MESSAGE]}


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _date_format(schema_of_value: dict) -> str | None:
    found = schema_of_value.get("format")
    return found if found in ("date", "date-time") else None


def _out_of_range(date_format: str) -> list[str]:
    """The days just outside the bounds, which Python itself still holds."""
    days = [(LATEST_DATE + timedelta(days=1)).isoformat(), (EARLIEST_DATE - timedelta(days=1)).isoformat()]
    return [f"{day}T12:00:00Z" for day in days] if date_format == "date-time" else days


def test_every_date_query_parameter_refuses_days_out_of_range(schema, client_a):
    """Every date and date-time query parameter of every operation without a path
    parameter, discovered from the schema, so a new filter is covered when it is added."""
    checked = []
    for path, operations in schema["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        for parameter in operations["get"].get("parameters", []):
            date_format = _date_format(parameter.get("schema", {}))
            if parameter["in"] != "query" or date_format is None:
                continue
            for value in _out_of_range(date_format):
                response = client_a.get(path, {parameter["name"]: value})
                assert response.status_code == 400, (path, parameter["name"], value, response.content)
                assert parameter["name"] in response.json(), (path, parameter["name"], response.json())
            checked.append((path, parameter["name"]))
    assert (BOOKINGS, "date") in checked and (SLOTS, "date") in checked
    assert len(checked) >= 30


def test_every_date_in_a_request_body_refuses_days_out_of_range(schema, client_a):
    """Every writable date and date-time of every JSON body posted to a collection."""
    components = schema["components"]["schemas"]
    checked = []
    for path, operations in schema["paths"].items():
        body = operations.get("post", {}).get("requestBody", {}).get("content", {}).get("application/json")
        if "{" in path or body is None or "$ref" not in body["schema"]:
            continue
        component = components[body["schema"]["$ref"].rsplit("/", 1)[-1]]
        for name, field in component.get("properties", {}).items():
            date_format = _date_format(field)
            if date_format is None or field.get("readOnly"):
                continue
            for value in _out_of_range(date_format):
                response = client_a.post(path, {name: value}, format="json")
                assert response.status_code == 400, (path, name, value, response.content)
                assert name in response.json(), (path, name, response.json())
            checked.append((path, name))
    assert (BOOKINGS, "starts_at") in checked and (PUBLIC_BOOKINGS, "starts_at") in checked
    assert len(checked) >= 15


# Time zones ---------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Mars/Base", "../../etc/passwd", "zone.tab", "Europe/Londres"])
def test_the_api_refuses_an_unknown_time_zone(client_a, tenant_a, zone):
    response = client_a.patch(SETTINGS, {"timezone": zone}, format="json")

    assert response.status_code == 400
    assert "timezone" in response.json()
    assert TenantSettings.objects.get(pk=tenant_a.pk).timezone == "Europe/London"


def test_the_api_takes_a_real_time_zone(client_a, tenant_a):
    response = client_a.patch(SETTINGS, {"timezone": "Asia/Kolkata"}, format="json")

    assert response.status_code == 200
    assert TenantSettings.objects.get(pk=tenant_a.pk).timezone == "Asia/Kolkata"


def test_the_admin_refuses_an_unknown_time_zone(operator, tenant_a):
    browser = HttpClient()
    browser.force_login(operator)
    page = f"/admin/core/tenantsettings/{tenant_a.pk}/change/"

    refused = browser.post(page, admin_form(tenant_a, timezone="Mars/Base", is_demo="on"))
    accepted = browser.post(page, admin_form(tenant_a, timezone="America/New_York", is_demo="on"))

    assert refused.status_code == 200  # the form again, with the error
    assert "Use a time zone name like Europe/London." in refused.content.decode()
    assert accepted.status_code == 302
    assert TenantSettings.objects.get(pk=tenant_a.pk).timezone == "America/New_York"


@pytest.fixture
def stored_bad_zone(tenant_a, salon):
    """A time zone written before names were validated: raw SQL, as a migration or a
    hand-run UPDATE would have left it."""
    BookingFactory(tenant=tenant_a, service=salon["service"], staff=salon["staff"], client=salon["client"])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_tenantsettings SET timezone = %s WHERE id = %s", ["Mars/Base", tenant_a.pk])
    unknown_zone_warned.cache_clear()  # warned once per process: this test wants to see it
    return TenantSettings.objects.get(pk=tenant_a.pk)


@pytest.mark.parametrize(
    "path",
    [
        DASHBOARD,
        f"{BOOKINGS}?date=2030-01-01",
        "/api/staff/shifts/?date=2030-01-01",
        "/api/staff/timesheets/?date=2030-01-01",
        "/api/documents/documents/?expiring=30",
        "/api/crm/leads/pipeline/",
        "/api/compliance/score/",
        "/api/analytics/summary/",
    ],
)
def test_a_stored_unknown_time_zone_falls_back_to_the_platforms(stored_bad_zone, client_a, caplog, path):
    with caplog.at_level(logging.WARNING, logger="core.timezones"):
        response = client_a.get(path)

    assert response.status_code == 200, response.content
    assert "unknown time zone 'Mars/Base' of tenant tenant-a; using Europe/London" in caplog.text


def test_public_slots_of_a_business_with_a_stored_unknown_time_zone(stored_bad_zone, salon):
    day = next_slot().date().isoformat()
    response = APIClient().get(SLOTS, {"service": ref(salon["service"]), "date": day}, HTTP_X_TENANT_SLUG="tenant-a")

    assert response.status_code == 200
    assert response.json()  # the platform's day, in its time zone
    assert response.json()[0]["starts_at"].startswith(day)


def test_no_page_of_a_business_with_a_stored_unknown_time_zone_fails(stored_bad_zone, schema, client_a):
    """Every readable collection and dashboard, discovered from the schema (the test
    client re-raises what would have been a 500)."""
    answers = {}
    for path, operations in schema["paths"].items():
        if "{" not in path and "get" in operations and path not in ("/api/schema/", "/api/docs/"):
            answers[path] = client_a.get(path).status_code
    assert len(answers) >= 40
    assert all(status < 500 for status in answers.values()), answers
    assert answers[DASHBOARD] == answers[BOOKINGS] == 200
