"""A URLconf with views the tenancy checks must refuse (used by tests/test_checks.py)."""

from django.urls import include, path
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.throttling import AnonRateThrottle

from bookings.models import Service
from bookings.serializers import ServiceSerializer
from core.tenancy import Access, PublicTenantAPIView, TenancyViewMixin, TenantReadOnlyModelViewSet


class UnscopedServiceViewSet(viewsets.ModelViewSet):
    queryset = Service.objects.all()
    serializer_class = ServiceSerializer


class PlatformServiceViewSet(TenancyViewMixin, viewsets.ReadOnlyModelViewSet):
    tenancy_access = Access.PLATFORM
    queryset = Service.objects.all()
    serializer_class = ServiceSerializer


class PlainlyFilteredServiceViewSet(TenantReadOnlyModelViewSet):
    queryset = Service.objects.all()
    serializer_class = ServiceSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["staff"]


class SharedThrottleView(PublicTenantAPIView):
    throttle_classes = [AnonRateThrottle]

    def get(self, request):
        return Response({})


@api_view(["GET"])
def function_view(request):
    return Response({})


router = SimpleRouter()
router.register("unscoped", UnscopedServiceViewSet, basename="unscoped")
router.register("platform", PlatformServiceViewSet, basename="platform")
router.register("plainly-filtered", PlainlyFilteredServiceViewSet, basename="plainly-filtered")

urlpatterns = [
    path("", include("config.urls")),
    path("leaky/", include(router.urls)),
    path("leaky/function/", function_view),
    path("leaky/throttled/", SharedThrottleView.as_view()),
]
