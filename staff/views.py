from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from core.permissions import MANAGERS, RolePermission, RoleTable, has_role
from core.schema import STATE_CONFLICT
from core.tenancy import TenantAPIView, TenantModelViewSet, TenantQuerySetMixin
from staff import selectors, serializers, services
from staff.filters import (
    AbsenceRecordFilter,
    LeaveRequestFilter,
    ShiftFilter,
    StaffProfileFilter,
    TimesheetEntryFilter,
    TrainingRecordFilter,
)
from staff.models import (
    AbsenceRecord,
    LeaveRequest,
    Shift,
    StaffProfile,
    TimesheetEntry,
    TrainingRecord,
    WorkingHours,
)


class OwnRowsMixin:
    """Staff-role users see (and so can change) only their own rows; managers see the tenant's.

    The serializers learn from the view (``get_serializer_context``) whether the caller
    may name any staff member and which profile is their own.
    """

    own_rows_lookup = "staff_profile__user"
    permission_classes = [RolePermission]
    required_roles: RoleTable = {}

    def manages_staff(self) -> bool:
        return has_role(self.request.user, MANAGERS)

    def refine_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        request = getattr(self, "request", None)
        if request is None or self.manages_staff():
            return queryset
        return queryset.filter(**{self.own_rows_lookup: request.user})

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        request = getattr(self, "request", None)
        if request is not None and getattr(request, "tenant", None) is not None:
            context["manages_staff"] = self.manages_staff()
            context["own_profiles"] = selectors.staff_profiles_of_user(tenant=request.tenant, user=request.user)
        return context


INVITATION_SENT = "An invitation to choose a password is on its way to the staff member's e-mail address."

STAFF_SEARCH = ["staff_profile__user__first_name", "staff_profile__user__last_name", "staff_profile__user__username"]


class StaffProfileViewSet(
    OwnRowsMixin,
    TenantQuerySetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The team. Managers add, edit and deactivate staff; staff see and edit their own contact details.

    Profiles are deactivated, never deleted, so shifts, leave and timesheets keep their history.
    """

    own_rows_lookup = "user"
    required_roles = dict.fromkeys(("create", "deactivate", "reactivate", "invite"), MANAGERS)
    queryset = StaffProfile.objects.select_related("user")
    serializer_class = serializers.StaffProfileSerializer
    filterset_class = StaffProfileFilter
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email", "job_title", "phone"]
    ordering_fields = ["user__first_name", "user__last_name", "job_title", "start_date", "hourly_rate", "created_at"]

    def perform_create(self, serializer: serializers.StaffProfileSerializer) -> None:
        fields = dict(serializer.validated_data)
        serializer.instance = services.staff_profile_create(
            tenant=self.request.tenant,
            created_by=self.request.user,
            password=fields.pop("password", None),
            **fields.pop("user", {}),
            **fields,
        )

    def perform_update(self, serializer: serializers.StaffProfileSerializer) -> None:
        fields = dict(serializer.validated_data)
        serializer.instance = services.staff_profile_update(
            profile=serializer.instance,
            performed_by=self.request.user,
            user_changes=fields.pop("user", {}),
            **fields,
        )

    def _set_active(self, is_active: bool) -> Response:
        profile = services.staff_profile_set_active(
            profile=self.get_object(), is_active=is_active, performed_by=self.request.user
        )
        return Response(self.get_serializer(profile).data)

    @extend_schema(request=None, responses={200: serializers.StaffProfileSerializer, 409: STATE_CONFLICT})
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        """The staff member leaves: their account can no longer sign in; their history stays."""
        return self._set_active(False)

    @extend_schema(request=None, responses={200: serializers.StaffProfileSerializer, 409: STATE_CONFLICT})
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, pk: str | None = None) -> Response:
        """A returning staff member can sign in again."""
        return self._set_active(True)

    @extend_schema(
        request=None,
        responses={
            202: OpenApiResponse(
                serializers.InvitationSentSerializer,
                description="An invitation, a link that sets the password (valid for `PASSWORD_INVITE_HOURS`), "
                "is being e-mailed to the staff member; the links sent before stop working.",
            ),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The staff member has no e-mail address (`email`) or is deactivated (`user`).",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str | None = None) -> Response:
        """E-mail the staff member a new invitation to choose their password (owners and managers)."""
        services.staff_profile_invite(profile=self.get_object(), performed_by=request.user)
        return Response({"detail": INVITATION_SENT}, status=status.HTTP_202_ACCEPTED)


class MyStaffProfileView(TenantAPIView):
    """The signed-in user's own staff profile (404 if they have none)."""

    permission_classes = [RolePermission]

    @extend_schema(responses=serializers.StaffProfileSerializer, operation_id="staff_profiles_me_retrieve")
    def get(self, request: Request) -> Response:
        profile = selectors.staff_profile_for_user(tenant=request.tenant, user=request.user)
        if profile is None:
            raise NotFound("You have no staff profile in this business.")
        return Response(serializers.StaffProfileSerializer(profile, context={"request": request}).data)


class ShiftViewSet(OwnRowsMixin, TenantModelViewSet):
    """The rota. A staff member's shifts never overlap."""

    queryset = Shift.objects.select_related("staff_profile__user")
    serializer_class = serializers.ShiftSerializer
    filterset_class = ShiftFilter
    search_fields = [*STAFF_SEARCH, "role", "location", "notes"]
    ordering_fields = ["starts_at", "ends_at", "created_at"]

    def perform_create(self, serializer: serializers.ShiftSerializer) -> None:
        serializer.instance = services.shift_create(tenant=self.request.tenant, **serializer.validated_data)

    def perform_update(self, serializer: serializers.ShiftSerializer) -> None:
        serializer.instance = services.shift_update(shift=serializer.instance, **serializer.validated_data)


class LeaveRequestViewSet(
    OwnRowsMixin,
    TenantQuerySetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Time off. Staff ask (and may cancel while pending); owners and managers decide.

    Requests are cancelled or rejected, never deleted, so the history stays.
    """

    required_roles = dict.fromkeys(("approve", "reject"), MANAGERS)
    queryset = LeaveRequest.objects.select_related("staff_profile__user", "decided_by")
    serializer_class = serializers.LeaveRequestSerializer
    filterset_class = LeaveRequestFilter
    search_fields = [*STAFF_SEARCH, "reason", "decision_note"]
    ordering_fields = ["start_date", "end_date", "created_at", "status", "decided_at"]

    def perform_create(self, serializer: serializers.LeaveRequestSerializer) -> None:
        serializer.instance = services.leave_request_create(
            tenant=self.request.tenant, requested_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.LeaveRequestSerializer) -> None:
        serializer.instance = services.leave_request_update(leave=serializer.instance, **serializer.validated_data)

    def _respond(self, leave: LeaveRequest) -> Response:
        return Response(self.get_serializer(leave).data)

    def _decide(self, decide: Callable[..., LeaveRequest]) -> Response:
        leave = self.get_object()
        payload = serializers.LeaveDecisionSerializer(data=self.request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(decide(leave=leave, decided_by=self.request.user, note=payload.validated_data["note"]))

    @extend_schema(
        request=serializers.LeaveDecisionSerializer,
        responses={200: serializers.LeaveRequestSerializer, 409: STATE_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a pending request."""
        return self._decide(services.leave_request_approve)

    @extend_schema(
        request=serializers.LeaveDecisionSerializer,
        responses={200: serializers.LeaveRequestSerializer, 409: STATE_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject a pending request."""
        return self._decide(services.leave_request_reject)

    @extend_schema(request=None, responses={200: serializers.LeaveRequestSerializer, 409: STATE_CONFLICT})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw your own request while it is pending."""
        return self._respond(services.leave_request_cancel(leave=self.get_object(), cancelled_by=request.user))


class TrainingRecordViewSet(OwnRowsMixin, TenantModelViewSet):
    """Courses and certificates; ``expiring_within_days`` lists what has expired or soon will."""

    queryset = TrainingRecord.objects.select_related("staff_profile__user")
    serializer_class = serializers.TrainingRecordSerializer
    filterset_class = TrainingRecordFilter
    search_fields = [*STAFF_SEARCH, "title", "provider", "certificate_reference"]
    ordering_fields = ["expires_on", "completed_on", "title", "created_at"]

    def perform_create(self, serializer: serializers.TrainingRecordSerializer) -> None:
        serializer.instance = services.training_record_save(record=TrainingRecord(), **serializer.validated_data)

    def perform_update(self, serializer: serializers.TrainingRecordSerializer) -> None:
        serializer.instance = services.training_record_save(record=serializer.instance, **serializer.validated_data)


class WorkingHoursViewSet(OwnRowsMixin, TenantModelViewSet):
    """Each staff member's usual hours, one row per day of the week."""

    queryset = WorkingHours.objects.select_related("staff_profile__user")
    serializer_class = serializers.WorkingHoursSerializer
    filterset_fields = ["staff_profile", "weekday"]
    search_fields = STAFF_SEARCH
    ordering_fields = ["weekday", "starts_at", "ends_at"]

    def perform_create(self, serializer: serializers.WorkingHoursSerializer) -> None:
        serializer.instance = services.working_hours_save(hours=WorkingHours(), **serializer.validated_data)

    def perform_update(self, serializer: serializers.WorkingHoursSerializer) -> None:
        serializer.instance = services.working_hours_save(hours=serializer.instance, **serializer.validated_data)


class TimesheetEntryViewSet(OwnRowsMixin, TenantModelViewSet):
    """Time worked. Staff clock themselves in and out and may add notes; managers correct entries."""

    required_roles = dict.fromkeys(("create", "destroy"), MANAGERS)
    queryset = TimesheetEntry.objects.select_related("staff_profile__user")
    serializer_class = serializers.TimesheetEntrySerializer
    filterset_class = TimesheetEntryFilter
    search_fields = [*STAFF_SEARCH, "note"]
    ordering_fields = ["clock_in", "clock_out", "created_at"]

    def perform_create(self, serializer: serializers.TimesheetEntrySerializer) -> None:
        serializer.instance = services.timesheet_entry_save(entry=TimesheetEntry(), **serializer.validated_data)

    def perform_update(self, serializer: serializers.TimesheetEntrySerializer) -> None:
        serializer.instance = services.timesheet_entry_save(entry=serializer.instance, **serializer.validated_data)

    @extend_schema(request=serializers.ClockInSerializer, responses={201: serializers.TimesheetEntrySerializer})
    @action(detail=False, methods=["post"], url_path="clock-in")
    def clock_in(self, request: Request) -> Response:
        """Start an entry now, for yourself (managers may name a staff member)."""
        payload = serializers.ClockInSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        entry = services.timesheet_clock_in(tenant=request.tenant, performed_by=request.user, **payload.validated_data)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.ClockOutSerializer,
        responses={200: serializers.TimesheetEntrySerializer, 409: STATE_CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="clock-out")
    def clock_out(self, request: Request, pk: str | None = None) -> Response:
        """Close an open entry now."""
        entry = self.get_object()
        payload = serializers.ClockOutSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        entry = services.timesheet_clock_out(entry=entry, performed_by=request.user, **payload.validated_data)
        return Response(self.get_serializer(entry).data)


class AbsenceRecordViewSet(OwnRowsMixin, TenantModelViewSet):
    """Sickness, no-shows and late arrivals, recorded by managers; staff see their own."""

    required_roles = dict.fromkeys(("create", "update", "partial_update", "destroy"), MANAGERS)
    queryset = AbsenceRecord.objects.select_related("staff_profile__user", "recorded_by")
    serializer_class = serializers.AbsenceRecordSerializer
    filterset_class = AbsenceRecordFilter
    search_fields = [*STAFF_SEARCH, "notes"]
    ordering_fields = ["date", "created_at", "reason"]

    def perform_create(self, serializer: serializers.AbsenceRecordSerializer) -> None:
        serializer.instance = services.absence_record_create(
            tenant=self.request.tenant, recorded_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.AbsenceRecordSerializer) -> None:
        serializer.instance = services.absence_record_update(absence=serializer.instance, **serializer.validated_data)
