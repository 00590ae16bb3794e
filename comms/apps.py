from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "comms"
    default_auto_field = "django.db.models.BigAutoField"
