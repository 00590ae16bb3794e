"""E-mail end to end, as production runs it: the Procfile's ``web`` and ``worker`` lines,
a Redis broker and a real SMTP server of the test's own, PostgreSQL with the runtime
role. A public booking at Salon X gets Salon X's confirmation, and Salon X's managers
hear of it; nothing comes from or mentions Restaurant X."""

from __future__ import annotations

import pytest
import requests

from accounts.factories import UserFactory
from accounts.models import User
from bookings.factories import ServiceFactory, StaffFactory, next_slot
from core.factories import TenantFactory
from core.references import public_reference as ref
from tests.faults import ProcfileProcess
from tests.rls import needs_postgresql

pytestmark = [needs_postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def businesses():
    salon = TenantFactory(slug="salon-x", name="Salon X", reply_to_email="hello@salon-x.example")
    restaurant = TenantFactory(slug="restaurant-x", name="Restaurant X", reply_to_email="table@restaurant-x.example")
    for tenant in (salon, restaurant):
        UserFactory(tenant=tenant, role=User.Role.OWNER, email=f"owner@{tenant.slug}.example")
    cut = ServiceFactory(tenant=salon, name="Cut and finish", duration_minutes=45)
    stylist = StaffFactory(tenant=salon, name="Aisha Khan")
    stylist.services.add(cut)
    ServiceFactory(tenant=restaurant, name="Tasting menu")
    return cut, stylist


@pytest.fixture
def web(job_env, mail_server):
    server = ProcfileProcess("web", {**job_env, "EMAIL_URL": mail_server.url, "DJANGO_SECURE_SSL_REDIRECT": "false"})
    server.start(seconds=60)
    yield server
    server.stop()


@pytest.fixture
def mail_worker(job_env, mail_server, tmp_path):
    process = ProcfileProcess("worker", {**job_env, "EMAIL_URL": mail_server.url})
    process.launch(tmp_path / "worker.log", ready="ready.")
    yield
    process.stop()


def test_a_public_booking_at_salon_x_sends_salon_xs_mail_and_nothing_of_restaurant_x(
    businesses, web, mail_worker, mail_server
):
    cut, stylist = businesses
    starts_at = next_slot(days=2, hour=10)
    response = requests.post(
        f"{web.url}/api/bookings/public/bookings/",
        json={
            "service": ref(cut),
            "staff": ref(stylist),
            "starts_at": starts_at.isoformat(),
            "name": "Robin Walker",
            "email": "robin@example.com",
        },
        headers={"X-Tenant-Slug": "salon-x"},
        timeout=30,
    )
    assert response.status_code == 201, response.text

    messages = mail_server.wait_for(2)
    recipients = {m["X-Envelope-To"] for m in messages}
    assert recipients == {"robin@example.com", "owner@salon-x.example"}
    for message in messages:
        assert message["From"].addresses[0].display_name == "Salon X"
        assert message["Reply-To"] == "hello@salon-x.example"
        text = message.as_string()
        assert "Salon X" in text
        assert "Restaurant X" not in text and "restaurant-x" not in text
    confirmation = next(m for m in messages if m["X-Envelope-To"] == "robin@example.com")
    assert "Cut and finish" in confirmation.get_body(("plain",)).get_content()
