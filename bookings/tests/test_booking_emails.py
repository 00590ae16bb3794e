"""The bookings e-mails: each business's own, sent once, after the write commits.

Tasks run eagerly (conftest); ``sent`` runs the commit's callbacks as a real commit would.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.db import transaction

from bookings import services, tasks
from bookings.factories import BookingFactory, ClientFactory, ServiceFactory, StaffFactory
from bookings.models import Booking
from bookings.selectors import businesses_at_reminder_hour, free_slots
from core.models import SentEmail
from core.tenancy import TenantScopeError, tenant_context
from tests.plugin import api_client_for, count_rows, fresh

pytestmark = pytest.mark.django_db

OTHER_TRACES = ("Restaurant X", "restaurant-x", "tenant-b", "#aa0000", "#00bb00", "book@restaurant-x.example")


@pytest.fixture
def salon(tenant_a):
    tenant_a.name, tenant_a.primary_colour, tenant_a.secondary_colour = "Salon X", "#112233", "#445566"
    tenant_a.logo_url, tenant_a.reply_to_email = "https://cdn.example/salon-x.png", "hello@salon-x.example"
    tenant_a.save()
    return tenant_a


@pytest.fixture
def restaurant(tenant_b):
    tenant_b.name, tenant_b.primary_colour, tenant_b.secondary_colour = "Restaurant X", "#aa0000", "#00bb00"
    tenant_b.logo_url, tenant_b.reply_to_email = "https://cdn.example/restaurant-x.png", "book@restaurant-x.example"
    tenant_b.save()
    return tenant_b


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the block's on-commit work (the e-mails' tasks) as its commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def parts(message) -> list[str]:
    html = message.alternatives[0][0] if message.alternatives else ""
    return [message.subject, message.body, html, message.from_email, *message.reply_to, *message.to]


def assert_salon_only(message) -> None:
    assert "Salon X" in message.from_email
    assert message.reply_to == ["hello@salon-x.example"]
    html = message.alternatives[0][0]
    assert "#112233" in html and 'src="https://cdn.example/salon-x.png"' in html
    for part in parts(message):
        for trace in OTHER_TRACES:
            assert trace not in part, (trace, part)


def to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def booking_made(tenant, sent, **fields):
    service = fields.pop("service", None) or ServiceFactory(tenant=tenant, name="Cut and finish")
    staff = fields.pop("staff", None) or StaffFactory(tenant=tenant, name="Aisha")
    client = fields.pop("client", None) or ClientFactory(tenant=tenant, name="Olivia", email="olivia@example.com")
    starts = fields.pop("starts_at", None) or datetime.combine(
        tenant.today() + timedelta(days=3), time(11), tenant.zone
    )
    with sent(), tenant_context(tenant):
        return services.booking_create(
            tenant=tenant, client=client, service=service, staff=staff, starts_at=starts, **fields
        )


def test_a_staff_made_booking_confirms_to_the_client_with_the_business_s_cancel_link(salon, restaurant, sent, settings):
    settings.TENANT_BASE_DOMAIN = "nbne.example"
    booking = booking_made(salon, sent)
    [message] = mail.outbox
    assert message.to == ["olivia@example.com"]
    assert message.subject == "Your booking at Salon X is confirmed"
    assert "Cut and finish with Aisha" in message.body
    assert_salon_only(message)
    [link] = [word for word in message.body.split() if word.startswith("https://")]
    url = urlsplit(link)
    assert (url.netloc, url.path) == ("tenant-a.nbne.example", "/booking/cancel")
    assert link.replace("&", "&amp;") in message.alternatives[0][0]
    # The link works at its business, and its cancellation is e-mailed too.
    with sent():
        response = api_client_for(HTTP_X_TENANT_SLUG="tenant-a").post(
            "/api/bookings/public/cancel/", {"token": parse_qs(url.query)["token"][0]}, format="json"
        )
    assert response.status_code == 200
    assert fresh(booking).status == Booking.Status.CANCELLED
    cancelled = mail.outbox[-1]
    assert cancelled.subject == "Your booking at Salon X is cancelled"
    assert_salon_only(cancelled)


def test_a_custom_domain_carries_the_link(salon, sent):
    salon.custom_domain = "book.salon-x.example"
    salon.save()
    booking_made(salon, sent)
    assert "https://book.salon-x.example/booking/cancel?token=" in mail.outbox[0].body


def test_an_online_booking_tells_the_client_and_the_business_s_owners_and_managers(
    salon, restaurant, owner_a, manager_a, staff_a, owner_b, manager_b, sent
):
    service = ServiceFactory(tenant=salon, name="Cut and finish")
    StaffFactory(tenant=salon, name="Aisha")
    day = salon.today() + timedelta(days=2)
    with tenant_context(salon):
        slot = free_slots(tenant=salon, service=service, day=day)[0]
    with sent(), tenant_context(salon):
        services.public_booking_request(
            tenant=salon, service=service, staff=None, starts_at=slot.starts_at, name="Olivia", email="o@example.com"
        )
    [client] = to("o@example.com")
    assert client.subject == "Your booking request at Salon X"
    assert "once it is confirmed" in client.body
    assert_salon_only(client)
    told = sorted(m.to[0] for m in mail.outbox if m is not client)
    assert told == sorted([owner_a.email, manager_a.email])
    for message in mail.outbox:
        assert_salon_only(message)
        assert owner_b.email not in message.to and manager_b.email not in message.to
    assert "Olivia (o@example.com) asked online for Cut and finish" in to(owner_a.email)[0].body
    with tenant_context(salon):
        keys = set(SentEmail.objects.values_list("key", flat=True))
        booking_id = Booking.objects.get().pk
    assert keys == {
        f"booking:{booking_id}:confirmed",
        f"booking:{booking_id}:new-online:{owner_a.pk}",
        f"booking:{booking_id}:new-online:{manager_a.pk}",
    }


def test_a_staff_made_booking_tells_no_one_at_the_business(salon, owner_a, manager_a, sent):
    booking_made(salon, sent)
    assert [m.to for m in mail.outbox] == [["olivia@example.com"]]


def test_a_moved_booking_is_e_mailed_once_per_new_time(salon, restaurant, sent):
    booking = booking_made(salon, sent)
    later = booking.starts_at + timedelta(hours=2)
    for _ in range(2):
        with sent(), tenant_context(salon):
            services.booking_update(booking=fresh(booking), starts_at=later)
    with sent(), tenant_context(salon):
        services.booking_update(booking=fresh(booking), notes="Window seat")  # not moved: no e-mail
    moved = [m for m in mail.outbox if "moved" in m.subject]
    assert len(moved) == 1
    assert moved[0].subject == "Your booking at Salon X has moved"
    assert f"{salon.local(later):%H:%M}" in moved[0].body
    assert_salon_only(moved[0])


def test_a_cancelled_booking_is_e_mailed_once(salon, restaurant, sent):
    booking = booking_made(salon, sent)
    with sent(), tenant_context(salon):
        services.booking_cancel(booking=fresh(booking))
    with tenant_context(salon):
        tasks.booking_cancellation_send.delay(booking.pk)  # a retried task
    cancelled = [m for m in mail.outbox if "cancelled" in m.subject]
    assert len(cancelled) == 1
    assert_salon_only(cancelled[0])


def test_a_booking_that_rolls_back_sends_nothing(salon, sent):
    service = ServiceFactory(tenant=salon)
    staff = StaffFactory(tenant=salon)
    client = ClientFactory(tenant=salon)
    with sent(), tenant_context(salon), pytest.raises(RuntimeError), transaction.atomic():
        services.booking_create(
            tenant=salon,
            client=client,
            service=service,
            staff=staff,
            starts_at=datetime.combine(salon.today() + timedelta(days=2), time(10), salon.zone),
        )
        raise RuntimeError("something after the booking failed")
    assert mail.outbox == []
    assert count_rows(SentEmail) == 0
    assert count_rows(Booking) == 0


def test_a_task_of_another_business_s_booking_sends_nothing(salon, restaurant, sent):
    booking = booking_made(salon, sent)
    mail.outbox.clear()
    with tenant_context(restaurant):
        tasks.booking_confirmation_send.delay(booking.pk)
        tasks.booking_cancellation_send.delay(booking.pk)
        tasks.booking_moved_send.delay(booking.pk)
    assert mail.outbox == []


def test_enqueuing_a_booking_e_mail_needs_a_business_in_scope(salon, sent):
    booking = booking_made(salon, sent)
    with pytest.raises(TenantScopeError):
        tasks.booking_confirmation_send.delay_on_commit(booking.pk)


# The day-before reminders ----------------------------------------------------------


def on_day(tenant, day, hour: int, **fields) -> Booking:
    starts = datetime.combine(day, time(hour), tenant.zone)
    return BookingFactory(tenant=tenant, starts_at=starts, **fields)


def test_reminders_go_to_tomorrow_s_confirmed_bookings_in_the_business_s_zone_once(salon, restaurant):
    # Far from the server's clock: the business's tomorrow is not the server's.
    salon.timezone = "Pacific/Kiritimati"
    salon.save()
    tomorrow = salon.today() + timedelta(days=1)
    early = on_day(salon, tomorrow, 0, client__email="early@example.com")
    late = on_day(salon, tomorrow, 23, client__email="late@example.com")
    on_day(salon, salon.today(), 23, client__email="today@example.com")
    on_day(salon, tomorrow + timedelta(days=1), 0, client__email="after@example.com")
    on_day(salon, tomorrow, 12, status=Booking.Status.PENDING, client__email="pending@example.com")
    on_day(salon, tomorrow, 13, status=Booking.Status.CANCELLED, client__email="cancelled@example.com")
    on_day(restaurant, restaurant.today() + timedelta(days=1), 12, client__email="restaurant@example.com")
    for _ in range(2):
        with tenant_context(salon):
            tasks.booking_reminders_send.delay()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([early.client.email, late.client.email])
    for message in mail.outbox:
        assert message.subject == "See you tomorrow at Salon X"
        assert "/booking/cancel?token=" in message.body
        assert_salon_only(message)


def test_the_sweep_finds_businesses_at_their_reminder_hour(salon, restaurant):
    restaurant.timezone = "Asia/Kolkata"  # 4:30 or 5:30 ahead of London: never the same hour
    restaurant.save()
    at_six_in_london = datetime.combine(salon.today(), time(18, 5), salon.zone)
    assert businesses_at_reminder_hour(now=at_six_in_london, hour=18) == [salon]
    restaurant.is_active = False
    restaurant.save()
    at_six_in_kolkata = datetime.combine(restaurant.today(), time(18, 5), restaurant.zone)
    assert businesses_at_reminder_hour(now=at_six_in_kolkata, hour=18) == []


def test_the_sweep_sends_each_due_business_s_reminders_in_its_own_scope(salon, restaurant, settings):
    restaurant.timezone = "Asia/Kolkata"
    restaurant.save()
    settings.BOOKING_REMINDER_HOUR = salon.local(datetime.now(salon.zone)).hour
    reminded = on_day(salon, salon.today() + timedelta(days=1), 12, client__email="reminded@example.com")
    on_day(restaurant, restaurant.today() + timedelta(days=1), 12, client__email="restaurant@example.com")
    assert tasks.booking_reminders_sweep.delay().get() == 1
    assert [m.to for m in mail.outbox] == [[reminded.client.email]]
