from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.permissions import MANAGERS, RolePermission
from core.schema import STATE_CONFLICT
from core.tenancy import TenantModelViewSet, TenantQuerySetMixin, TenantReadOnlyModelViewSet
from payments import serializers, services
from payments.filters import CustomerFilter, PaymentSessionFilter, PaymentTransactionFilter
from payments.models import Customer, PaymentSession, PaymentTransaction

TRANSITION_RESPONSES = {200: serializers.PaymentSessionSerializer, 409: STATE_CONFLICT}


class CustomerViewSet(TenantModelViewSet):
    """People who pay the business; a customer with payments cannot be deleted (409)."""

    queryset = Customer.objects.select_related("client")
    serializer_class = serializers.CustomerSerializer
    filterset_class = CustomerFilter
    search_fields = ["name", "email", "phone", "provider_customer_ref"]
    ordering_fields = ["name", "email", "created_at"]


class PaymentSessionViewSet(
    TenantQuerySetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Checkouts and their state machine. Sessions are never edited or deleted, only moved on."""

    queryset = PaymentSession.objects.select_related("customer").prefetch_related("transactions")
    serializer_class = serializers.PaymentSessionSerializer
    filterset_class = PaymentSessionFilter
    search_fields = [
        "customer__name",
        "customer__email",
        "idempotency_key",
        "provider_ref",
        "booking__service__name",
        "class_package__name",
    ]
    ordering_fields = ["created_at", "updated_at", "completed_at", "amount", "status"]
    permission_classes = [RolePermission]
    required_roles = {"refund": MANAGERS}

    @extend_schema(
        request=serializers.PaymentSessionSerializer,
        responses={201: serializers.PaymentSessionSerializer, 200: serializers.PaymentSessionSerializer},
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Open a checkout for a booking or a class package; the amount is its price.

        An idempotency key already used in this business returns that session (200)
        if the request is the same, and a 400 if it differs.
        """
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.instance, created = services.payment_session_create(
            tenant=request.tenant, **serializer.validated_data
        )
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(serializer.data, status=answer)

    def _respond(self, session: PaymentSession) -> Response:
        return Response(self.get_serializer(session).data)

    @extend_schema(request=serializers.ProviderRefSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """The customer went to the provider's checkout: created → pending."""
        session = self.get_object()
        payload = serializers.ProviderRefSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(services.payment_session_start(session=session, **payload.validated_data))

    @extend_schema(request=serializers.ProviderRefSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """The provider took the money: pending → completed (credits granted, booking confirmed)."""
        session = self.get_object()
        payload = serializers.ProviderRefSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            services.payment_session_complete(session=session, performed_by=request.user, **payload.validated_data)
        )

    @extend_schema(request=serializers.FailSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def fail(self, request: Request, pk: str | None = None) -> Response:
        """The provider declined the charge: pending → failed."""
        session = self.get_object()
        payload = serializers.FailSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            services.payment_session_fail(session=session, performed_by=request.user, **payload.validated_data)
        )

    @extend_schema(request=None, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """The checkout was abandoned before any money moved: created or pending → cancelled."""
        return self._respond(services.payment_session_cancel(session=self.get_object()))

    @extend_schema(request=serializers.RefundSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def refund(self, request: Request, pk: str | None = None) -> Response:
        """Give money back (owners and managers): all that is left, or ``amount`` of it."""
        session = self.get_object()
        payload = serializers.RefundSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            services.payment_session_refund(session=session, performed_by=request.user, **payload.validated_data)
        )


class PaymentTransactionViewSet(TenantReadOnlyModelViewSet):
    """Charges and refunds as the provider reported them (read-only)."""

    queryset = PaymentTransaction.objects.select_related("session")
    serializer_class = serializers.PaymentTransactionSerializer
    filterset_class = PaymentTransactionFilter
    search_fields = ["provider_ref", "failure_reason", "session__customer__name", "session__idempotency_key"]
    ordering_fields = ["created_at", "amount", "kind", "status"]
