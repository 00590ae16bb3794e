import factory

from core.models import BusinessEvent, TenantSettings


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
