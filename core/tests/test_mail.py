"""Each business's e-mail (core.mail): its own branding and name only, once per event."""

from __future__ import annotations

from email.utils import parseaddr
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from core.factories import SentEmailFactory
from core.mail import business_email_send, business_frontend_url
from core.models import SentEmail
from tests.plugin import count_rows, rows

pytestmark = pytest.mark.django_db


class DownBackend(EmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise SMTPServerDisconnected("connection refused")


@pytest.fixture
def branded(tenant_a, tenant_b):
    tenant_a.name, tenant_a.primary_colour, tenant_a.secondary_colour = "Salon X", "#112233", "#445566"
    tenant_a.logo_url, tenant_a.reply_to_email = "https://cdn.example/salon-x.png", "hello@salon-x.example"
    tenant_a.tagline = "Cuts and colour"
    tenant_a.save()
    tenant_b.name, tenant_b.primary_colour, tenant_b.secondary_colour = "Restaurant X", "#aa0000", "#00bb00"
    tenant_b.logo_url, tenant_b.reply_to_email = "https://cdn.example/restaurant-x.png", "book@restaurant-x.example"
    tenant_b.save()
    return tenant_a, tenant_b


def send(tenant, key="test:1:sent", to=("sam@example.com",)):
    return business_email_send(
        tenant=tenant,
        key=key,
        to=list(to),
        subject=f"Your booking at {tenant.name} is confirmed",
        template="booking_cancelled",
        context={"client_name": "Sam <b>", "service_name": "Cut", "staff_name": "Ali", "when": "Monday at 10:00"},
    )


def test_a_message_is_the_business_s_own(branded, settings):
    settings.DEFAULT_FROM_EMAIL = "Platform <noreply@platform.example>"
    salon, _restaurant = branded
    assert send(salon) is True
    [message] = mail.outbox
    assert parseaddr(message.from_email) == ("Salon X", "noreply@platform.example")
    assert message.reply_to == ["hello@salon-x.example"]
    assert message.to == ["sam@example.com"]
    html = message.alternatives[0][0]
    assert "#112233" in html and "#445566" in html
    assert 'src="https://cdn.example/salon-x.png"' in html
    assert "Sam &lt;b&gt;" in html  # the HTML escapes what clients typed
    assert "Sam <b>" in message.body  # the plain text shows it as typed
    assert "Salon X" in message.body and "Cuts and colour" in message.body
    for part in (message.body, html, message.subject, message.from_email, *message.reply_to):
        for other in ("Restaurant X", "restaurant-x", "#aa0000", "#00bb00", "tenant-b"):
            assert other not in part


def test_a_name_with_punctuation_is_quoted(tenant_a):
    tenant_a.name = 'Smith, Jones & "Co"'
    tenant_a.save()
    send(tenant_a)
    assert parseaddr(mail.outbox[0].from_email)[0] == 'Smith, Jones & "Co"'


def test_no_reply_to_or_logo_when_the_business_has_none(tenant_a):
    tenant_a.logo_url = ""
    tenant_a.save()
    send(tenant_a)
    [message] = mail.outbox
    assert message.reply_to == []
    assert "<img" not in message.alternatives[0][0]


def test_one_key_is_sent_once(tenant_a):
    assert send(tenant_a) is True
    assert send(tenant_a) is False
    assert len(mail.outbox) == 1
    [claim] = rows(SentEmail)
    assert (claim.key, claim.recipient, claim.tenant_id) == ("test:1:sent", "sam@example.com", tenant_a.pk)
    assert claim.sent_at is not None


def test_the_same_key_of_two_businesses_is_two_events(tenant_a, tenant_b):
    assert send(tenant_a) is True
    assert send(tenant_b) is True
    assert len(mail.outbox) == 2


def test_a_failed_send_releases_its_claim_and_the_retry_sends_once(tenant_a, settings):
    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    with pytest.raises(SMTPServerDisconnected):
        send(tenant_a)
    assert count_rows(SentEmail) == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send(tenant_a) is True
    assert send(tenant_a) is False
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_crashed_send_is_not_sent_again(tenant_a):
    # The worker died after handing the message over, before recording it sent.
    SentEmailFactory(tenant=tenant_a, key="test:1:sent", sent_at=None)
    assert send(tenant_a) is False
    assert mail.outbox == []


def test_nobody_to_send_to_claims_nothing(tenant_a):
    assert send(tenant_a, to=("",)) is False
    assert count_rows(SentEmail) == 0


def test_links_point_at_the_business_s_own_frontend(tenant_a, settings):
    settings.TENANT_BASE_DOMAIN = "nbne.example"
    assert business_frontend_url(tenant=tenant_a, path="/booking/cancel?token=t") == (
        "https://tenant-a.nbne.example/booking/cancel?token=t"
    )
    tenant_a.custom_domain = "book.salon-a.example"
    tenant_a.save()
    assert (
        business_frontend_url(tenant=tenant_a, path="booking/cancel") == "https://book.salon-a.example/booking/cancel"
    )
