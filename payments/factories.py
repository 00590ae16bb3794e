from decimal import Decimal

import factory

from bookings.factories import BookingFactory, ClassPackageFactory, ClientFactory
from core.factories import TenantFactory
from payments.models import Customer, PaymentSession, PaymentTransaction


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    tenant = factory.SubFactory(TenantFactory)
    client = factory.SubFactory(ClientFactory, tenant=factory.SelfAttribute("..tenant"))
    name = factory.LazyAttribute(lambda o: o.client.name if o.client else "Walk-in payer")
    email = factory.Sequence(lambda n: f"payer{n}@example.com")
    phone = "07700 900222"
    provider_customer_ref = factory.Sequence(lambda n: f"cus_{n:012d}")


def _booking_for(o):
    if o.purpose != PaymentSession.Purpose.BOOKING:
        return None
    client = o.customer.client or ClientFactory(tenant=o.tenant)
    return BookingFactory(tenant=o.tenant, client=client)


def _package_for(o):
    if o.purpose != PaymentSession.Purpose.CLASS_PACKAGE:
        return None
    return ClassPackageFactory(service__tenant=o.tenant)


class PaymentSessionFactory(factory.django.DjangoModelFactory):
    """A checkout in the tenant: by default for a new booking of the customer's client.

    ``booking``/``class_package`` may be given (the isolation matrix passes both); only the
    one matching ``purpose`` is kept, and the amount follows it.
    """

    class Meta:
        model = PaymentSession

    tenant = factory.SubFactory(TenantFactory)
    customer = factory.SubFactory(CustomerFactory, tenant=factory.SelfAttribute("..tenant"))
    purpose = PaymentSession.Purpose.BOOKING
    booking = factory.LazyAttribute(_booking_for)
    class_package = factory.LazyAttribute(_package_for)
    amount = factory.LazyAttribute(
        lambda o: (
            (o.booking.price if o.purpose == PaymentSession.Purpose.BOOKING else o.class_package.price)
            or Decimal("10.00")
        )
    )
    idempotency_key = factory.Sequence(lambda n: f"idem-{n:06d}")
    provider_ref = factory.Sequence(lambda n: f"cs_{n:012d}")

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if kwargs["purpose"] == PaymentSession.Purpose.BOOKING:
            kwargs["class_package"] = None
        else:
            kwargs["booking"] = None
        return kwargs


class PaymentTransactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentTransaction

    session = factory.SubFactory(PaymentSessionFactory)
    kind = PaymentTransaction.Kind.CHARGE
    amount = factory.SelfAttribute("session.amount")
    status = PaymentTransaction.Status.SUCCEEDED
    provider_ref = factory.Sequence(lambda n: f"ch_{n:012d}")
