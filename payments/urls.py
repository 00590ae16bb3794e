from rest_framework.routers import SimpleRouter

from payments import views

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="payment-customer")
router.register("sessions", views.PaymentSessionViewSet, basename="payment-session")
router.register("transactions", views.PaymentTransactionViewSet, basename="payment-transaction")

urlpatterns = router.urls
