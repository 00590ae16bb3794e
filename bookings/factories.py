from datetime import time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from bookings.models import (
    Booking,
    ClassPackage,
    Client,
    ClientCredit,
    IntakeProfile,
    IntakeWellbeingDisclaimer,
    OpeningHours,
    Service,
    Staff,
)
from core.factories import TenantFactory


def next_slot(days: int = 1, hour: int = 10):
    """A round time in the future (bookings are made on a 15-minute grid)."""
    start = timezone.localtime() + timedelta(days=days)
    return start.replace(hour=hour, minute=0, second=0, microsecond=0)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    duration_minutes = 45
    price = Decimal("35.00")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Staff member {n}")
    email = factory.LazyAttribute(lambda o: f"{o.name.lower().replace(' ', '.')}@example.com")


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    tenant = factory.SubFactory(TenantFactory)
    weekday = factory.Sequence(lambda n: n % 7)
    opens = time(9)
    closes = time(17)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Client {n}")
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    phone = "07700 900000"


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    tenant = factory.SubFactory(TenantFactory)
    client = factory.SubFactory(ClientFactory, tenant=factory.SelfAttribute("..tenant"))
    service = factory.SubFactory(ServiceFactory, tenant=factory.SelfAttribute("..tenant"))
    staff = factory.SubFactory(StaffFactory, tenant=factory.SelfAttribute("..tenant"))
    starts_at = factory.Sequence(lambda n: next_slot(days=1 + n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=o.service.duration_minutes))
    price = factory.LazyAttribute(lambda o: o.service.price)


class ClassPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClassPackage

    service = factory.SubFactory(ServiceFactory, capacity=10)
    name = factory.Sequence(lambda n: f"Pack {n}")
    credits = 5
    price = Decimal("60.00")


class ClientCreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientCredit

    client = factory.SubFactory(ClientFactory)
    package = factory.SubFactory(ClassPackageFactory, service__tenant=factory.SelfAttribute("...client.tenant"))
    total = 5
    remaining = 5
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=60))


class IntakeWellbeingDisclaimerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeWellbeingDisclaimer
        django_get_or_create = ("version",)

    version = factory.Sequence(lambda n: f"v{n}")
    title = "Wellbeing disclaimer"
    body = "Tell your practitioner about any condition before taking part."
    is_current = True


class IntakeProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeProfile

    client = factory.SubFactory(ClientFactory)
    emergency_contact_name = "Sam Contact"
    emergency_contact_phone = "07700 900111"
