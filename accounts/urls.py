from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import views

router = SimpleRouter()
router.register("audit-log", views.AuditLogViewSet, basename="auditlogentry")

urlpatterns = [
    path("token/", views.LoginView.as_view(), name="token-obtain"),
    path("token/refresh/", views.RefreshView.as_view(), name="token-refresh"),
    path("me/", views.MeView.as_view(), name="me"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-set/", views.PasswordSetView.as_view(), name="password-set"),
    *router.urls,
]
