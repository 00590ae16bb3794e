from django.urls import path
from rest_framework.routers import SimpleRouter

from bookings import views

router = SimpleRouter()
router.register("services", views.ServiceViewSet, basename="service")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("clients", views.ClientViewSet, basename="client")
router.register("opening-hours", views.OpeningHoursViewSet, basename="opening-hours")
router.register("bookings", views.BookingViewSet, basename="booking")
router.register("packages", views.ClassPackageViewSet, basename="classpackage")
router.register("credits", views.ClientCreditViewSet, basename="clientcredit")
router.register("intake-profiles", views.IntakeProfileViewSet, basename="intakeprofile")
router.register("disclaimers", views.IntakeWellbeingDisclaimerViewSet, basename="disclaimer")
router.register("public/services", views.PublicServiceViewSet, basename="public-service")

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="bookings-dashboard"),
    path("public/slots/", views.PublicSlotsView.as_view(), name="public-slots"),
    path("public/bookings/", views.PublicBookingRequestView.as_view(), name="public-booking-request"),
    path("public/cancel/", views.PublicBookingCancelView.as_view(), name="public-booking-cancel"),
    *router.urls,
]
