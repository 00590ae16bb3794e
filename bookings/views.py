from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from bookings import selectors, serializers, services
from bookings.cancel_links import booking_for_cancel_token
from bookings.filters import BookingFilter
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
from core.permissions import MANAGERS_WRITE, RolePermission
from core.schema import STATE_CONFLICT
from core.serializers import ErrorSerializer, StateConflictSerializer
from core.tenancy import (
    Access,
    PublicTenantAPIView,
    TenantAPIView,
    TenantModelViewSet,
    TenantQuerySetMixin,
    TenantReadOnlyModelViewSet,
)
from core.throttling import BusinessRateThrottle


class ServiceViewSet(TenantModelViewSet):
    """What the business sells; managers edit, everyone reads."""

    queryset = Service.objects.all()
    serializer_class = serializers.ServiceSerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_WRITE
    filterset_fields = ["is_active", "capacity"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "price", "duration_minutes", "created_at"]


class StaffViewSet(TenantModelViewSet):
    """People who can be booked; managers edit, everyone reads."""

    queryset = Staff.objects.prefetch_related("services")
    serializer_class = serializers.StaffSerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_WRITE
    filterset_fields = ["is_active", "services"]
    search_fields = ["name", "email"]
    ordering_fields = ["name", "created_at"]


class OpeningHoursViewSet(TenantModelViewSet):
    """The business's opening hours, one row per day of the week; managers edit, everyone reads.

    Public booking slots fall within them. Until the business has a row for any day,
    every day runs from its settings' `opening_hour` to `closing_hour`; once it has one,
    a day without a row is closed.
    """

    queryset = OpeningHours.objects.all()
    serializer_class = serializers.OpeningHoursSerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_WRITE
    filterset_fields = ["weekday"]
    ordering_fields = ["weekday", "opens", "closes"]


class ClientViewSet(TenantModelViewSet):
    queryset = Client.objects.all()
    serializer_class = serializers.ClientSerializer
    filterset_fields = ["marketing_consent"]
    search_fields = ["name", "email", "phone"]
    ordering_fields = ["name", "created_at"]


class BookingViewSet(
    TenantQuerySetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Appointments. Bookings are cancelled, never deleted, so the history stays."""

    queryset = Booking.objects.all()
    serializer_class = serializers.BookingSerializer
    filterset_class = BookingFilter
    search_fields = ["client__name", "service__name", "staff__name", "notes"]
    ordering_fields = ["starts_at", "created_at", "status"]
    related = ("client", "service", "staff")

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        # A list reads its page from the bookings index alone, then the page's related
        # rows by id. Joined in one query, each table's row-level security predicate
        # makes PostgreSQL misjudge the join and sort all of a big business's bookings.
        if getattr(self, "action", None) == "list":
            return queryset.prefetch_related(*self.related)
        return queryset.select_related(*self.related)

    def perform_create(self, serializer: serializers.BookingSerializer) -> None:
        serializer.instance = services.booking_create(
            tenant=self.request.tenant, created_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.BookingSerializer) -> None:
        changes = dict(serializer.validated_data)
        changes.pop("credit", None)  # the serializer refuses a change; the same credit is no change
        serializer.instance = services.booking_update(booking=serializer.instance, **changes)

    def _respond(self, booking: Booking) -> Response:
        return Response(self.get_serializer(booking).data)

    @extend_schema(request=None, responses={200: serializers.BookingSerializer, 409: STATE_CONFLICT})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel the booking; its slot is free again and a used class credit comes back."""
        return self._respond(services.booking_cancel(booking=self.get_object(), cancelled_by=request.user))

    @extend_schema(request=None, responses={200: serializers.BookingSerializer, 409: STATE_CONFLICT})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Confirm a booking requested online."""
        return self._respond(services.booking_set_status(booking=self.get_object(), status=Booking.Status.CONFIRMED))

    @extend_schema(request=None, responses={200: serializers.BookingSerializer, 409: STATE_CONFLICT})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Mark the booking as done."""
        return self._respond(services.booking_set_status(booking=self.get_object(), status=Booking.Status.COMPLETED))

    @extend_schema(request=None, responses={200: serializers.BookingSerializer, 409: STATE_CONFLICT})
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request: Request, pk: str | None = None) -> Response:
        """Record that the client did not come."""
        return self._respond(services.booking_set_status(booking=self.get_object(), status=Booking.Status.NO_SHOW))


class ClassPackageViewSet(TenantModelViewSet):
    queryset = ClassPackage.objects.select_related("service")
    serializer_class = serializers.ClassPackageSerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_WRITE
    filterset_fields = ["service", "is_active"]
    search_fields = ["name", "service__name"]
    ordering_fields = ["name", "price", "credits"]


class ClientCreditViewSet(
    TenantQuerySetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Class credits held by clients; created when a client buys a package."""

    queryset = ClientCredit.objects.select_related("client", "package")
    serializer_class = serializers.ClientCreditSerializer
    filterset_fields = ["client", "package"]
    search_fields = ["client__name", "package__name"]
    ordering_fields = ["expires_at", "purchased_at", "remaining"]

    def perform_create(self, serializer: serializers.ClientCreditSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.client_credit_grant(client=data["client"], package=data["package"])


class IntakeProfileViewSet(TenantModelViewSet):
    queryset = IntakeProfile.objects.select_related("client", "disclaimer")
    serializer_class = serializers.IntakeProfileSerializer
    filterset_fields = ["client", "disclaimer"]
    search_fields = ["client__name", "emergency_contact_name"]
    ordering_fields = ["updated_at"]


class IntakeWellbeingDisclaimerViewSet(TenantReadOnlyModelViewSet):
    """The shared wellbeing disclaimer texts (the same for every business)."""

    queryset = IntakeWellbeingDisclaimer.objects.all()
    serializer_class = serializers.IntakeWellbeingDisclaimerSerializer
    filterset_fields = ["is_current", "version"]
    ordering_fields = ["published_at"]


class DashboardView(TenantAPIView):
    """Today's figures for the business."""

    @extend_schema(responses=serializers.DashboardSerializer, operation_id="bookings_dashboard")
    def get(self, request: Request) -> Response:
        summary = selectors.dashboard_summary_cached(tenant=request.tenant)
        return Response(serializers.DashboardSerializer(summary).data)


# The public booking page ---------------------------------------------------------


class PublicServiceViewSet(TenantQuerySetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The services a client can book online.

    A list only: a page addressed by a service's id would tell visitors the sequence ids
    the public pages otherwise hide behind references (core.references).
    """

    tenancy_access = Access.PUBLIC
    permission_classes = [AllowAny]
    queryset = Service.objects.filter(is_active=True)
    serializer_class = serializers.PublicServiceSerializer
    search_fields = ["name", "description"]
    ordering_fields = ["name", "price", "duration_minutes"]


class PublicSlotsView(PublicTenantAPIView):
    """Free times for a service on a day, per staff member who offers it.

    Within the day's opening hours (see `/api/bookings/opening-hours/`). A staff member
    linked to a staff profile is offered only within their shifts that day, or, with no
    shift that day, their usual working hours for the weekday; never on a day of approved
    leave, nor once the profile is deactivated.
    """

    @extend_schema(parameters=[serializers.SlotQuerySerializer], responses=serializers.SlotSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = serializers.SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        slots = selectors.free_slots(
            tenant=request.tenant, service=wanted["service"], day=wanted["date"], staff=wanted.get("staff")
        )
        return Response(serializers.SlotSerializer(slots, many=True).data)


class PublicBookingRequestView(PublicTenantAPIView):
    """A client asks for a booking; the business confirms it."""

    throttle_classes = [BusinessRateThrottle]
    throttle_scope = "public_booking"

    @extend_schema(
        request=serializers.PublicBookingRequestSerializer,
        responses={201: serializers.PublicBookingConfirmationSerializer},
    )
    def post(self, request: Request) -> Response:
        payload = serializers.PublicBookingRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        booking = services.public_booking_request(tenant=request.tenant, **payload.validated_data)
        return Response(serializers.PublicBookingConfirmationSerializer(booking).data, status=status.HTTP_201_CREATED)


class PublicBookingCancelView(PublicTenantAPIView):
    """A client cancels their booking with the link of its e-mails.

    The link works only at the business that sent it, and only until the booking starts.
    """

    throttle_classes = [BusinessRateThrottle]
    throttle_scope = "public_booking"

    @extend_schema(
        request=serializers.PublicBookingCancelSerializer,
        responses={
            200: OpenApiResponse(serializers.PublicBookingConfirmationSerializer, description="Cancelled."),
            400: OpenApiResponse(
                description="The token is not a cancel link's, or has expired (the booking's start has passed)."
            ),
            404: OpenApiResponse(
                ErrorSerializer,
                description="No such booking at this business: it is gone, or the link is another business's "
                "(the same answer for both).",
            ),
            409: OpenApiResponse(
                StateConflictSerializer,
                description="The booking is no longer active (cancelled, completed, a no-show) or has started, or "
                "another request cancelled it first (code `state_conflict`, `current_state`).",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        payload = serializers.PublicBookingCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        booking = booking_for_cancel_token(tenant=request.tenant, token=payload.validated_data["token"])
        booking = services.public_booking_cancel(tenant=request.tenant, booking=booking)
        return Response(serializers.PublicBookingConfirmationSerializer(booking).data)
