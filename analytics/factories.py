from datetime import timedelta

import factory
from django.utils import timezone

from analytics.models import Recommendation
from core.factories import TenantFactory


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    tenant = factory.SubFactory(TenantFactory)
    kind = Recommendation.Kind.PROMOTE_TOP_SERVICE
    title = factory.Sequence(lambda n: f"Recommendation {n}")
    body = "Feature your most booked service on the booking page."
    priority = Recommendation.Priority.LOW
    metric = factory.LazyFunction(lambda: {"bookings": 12, "share": 0.4})
    status = Recommendation.Status.NEW
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
