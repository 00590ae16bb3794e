from django.urls import path
from rest_framework.routers import SimpleRouter

from staff import views

router = SimpleRouter()
router.register("profiles", views.StaffProfileViewSet, basename="staff-profile")
router.register("shifts", views.ShiftViewSet, basename="staff-shift")
router.register("leave-requests", views.LeaveRequestViewSet, basename="staff-leave-request")
router.register("training-records", views.TrainingRecordViewSet, basename="staff-training-record")
router.register("working-hours", views.WorkingHoursViewSet, basename="staff-working-hours")
router.register("timesheets", views.TimesheetEntryViewSet, basename="staff-timesheet")
router.register("absences", views.AbsenceRecordViewSet, basename="staff-absence")

urlpatterns = [
    # Before the router, so "me" is not taken for a profile's id.
    path("profiles/me/", views.MyStaffProfileView.as_view(), name="staff-profile-me"),
    *router.urls,
]
