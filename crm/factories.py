from decimal import Decimal

import factory

from accounts.factories import UserFactory
from core.factories import TenantFactory
from crm.models import Lead


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Prospect {n}")
    email = factory.Sequence(lambda n: f"prospect{n}@example.com")
    phone = "07700 900222"
    company = factory.Sequence(lambda n: f"Company {n} Ltd")
    source = Lead.Source.WEBSITE
    value = Decimal("450.00")
    owner = factory.SubFactory(UserFactory, tenant=factory.SelfAttribute("..tenant"))
    converted_client = None
    status = factory.LazyAttribute(lambda o: Lead.Status.WON if o.converted_client else Lead.Status.NEW)
