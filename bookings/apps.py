from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from .models import Booking, Client, Service, Staff
        from .services import forget_cached_figures

        for model in (Booking, Client, Service, Staff):
            post_save.connect(forget_cached_figures, sender=model, dispatch_uid=f"bookings_cache_{model.__name__}")
