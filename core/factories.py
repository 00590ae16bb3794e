from datetime import timedelta

import factory
from django.utils import timezone

from core.integrations.secrets import encrypt_secret
from core.models import BusinessEvent, SentEmail, TenantExport, TenantIntegrationKey, TenantSettings


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TenantSettings
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tenant-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    is_demo = True


class BusinessEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessEvent

    tenant = factory.SubFactory(TenantFactory)
    kind = BusinessEvent.Kind.CLIENT_CREATED
    summary = factory.Sequence(lambda n: f"Event {n}")


class TenantIntegrationKeyFactory(factory.django.DjangoModelFactory):
    """A stored key; ``api_key`` is its plaintext, encrypted for the row's tenant and provider."""

    class Meta:
        model = TenantIntegrationKey

    class Params:
        api_key = factory.Sequence(lambda n: f"sk-factory-{n:06d}-secret")

    tenant = factory.SubFactory(TenantFactory)
    provider = TenantIntegrationKey.Provider.OPENAI
    encrypted_key = factory.LazyAttribute(
        lambda o: encrypt_secret(o.api_key, tenant_id=o.tenant.pk, provider=o.provider)
    )
    last_four = factory.LazyAttribute(lambda o: o.api_key[-4:] if len(o.api_key) >= 12 else "")


class SentEmailFactory(factory.django.DjangoModelFactory):
    """A message the business has sent (its claim, with ``sent_at``)."""

    class Meta:
        model = SentEmail

    tenant = factory.SubFactory(TenantFactory)
    key = factory.Sequence(lambda n: f"test:{n}:sent")
    recipient = factory.Sequence(lambda n: f"client{n}@example.com")
    subject = "Your booking is confirmed"
    sent_at = factory.LazyFunction(timezone.now)


class TenantExportFactory(factory.django.DjangoModelFactory):
    """A finished export, as the job leaves it (no archive file unless one is given)."""

    class Meta:
        model = TenantExport

    tenant = factory.SubFactory(TenantFactory)
    status = TenantExport.Status.READY
    size = 1024
    rows = 10
    finished_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
