"""The payments admin: read-mostly pages that stay inside the user's tenant."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from payments.factories import CustomerFactory, PaymentSessionFactory, PaymentTransactionFactory
from tests.plugin import admin_site_user, browser

pytestmark = pytest.mark.django_db

SESSIONS = "/admin/payments/paymentsession/"


@pytest.fixture
def payments(tenant_a, tenant_b):
    session_a = PaymentSessionFactory(tenant=tenant_a, customer=CustomerFactory(tenant=tenant_a, name="Alpha Payer"))
    session_b = PaymentSessionFactory(tenant=tenant_b, customer=CustomerFactory(tenant=tenant_b, name="Bravo Payer"))
    PaymentTransactionFactory(session=session_a, provider_ref="ch_alpha")
    PaymentTransactionFactory(session=session_b, provider_ref="ch_bravo")
    return session_a, session_b


def test_tenant_staff_see_only_their_payments(tenant_a, payments):
    web = browser(admin_site_user(tenant_a, Permission.objects.filter(content_type__app_label="payments")))
    session_a, session_b = payments

    listing = web.get(SESSIONS).content.decode()
    assert "Alpha Payer" in listing
    assert "Bravo Payer" not in listing

    page = web.get(f"{SESSIONS}{session_a.pk}/change/")
    assert page.status_code == 200
    assert "ch_alpha" in page.content.decode()
    assert web.get(f"{SESSIONS}{session_b.pk}/change/").status_code in (302, 404)
    assert web.get(f"{SESSIONS}add/").status_code == 403  # sessions are opened through the API


def test_operators_see_every_tenants_payments(operator, payments):
    listing = browser(operator).get(SESSIONS).content.decode()

    assert "Alpha Payer" in listing
    assert "Bravo Payer" in listing
