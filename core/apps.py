from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core and tenancy"

    def ready(self) -> None:
        from . import deploy_checks  # noqa: F401  (registers the system checks)
        from .integrations import checks  # noqa: F401  (registers the system checks)
        from .observability.wiring import install as install_observability
        from .tenancy import install

        install(self)
        install_observability()
        bound_model_dates()


def bound_model_dates() -> None:
    """Every model serializer reads dates and times within the platform's bounds
    (core.dates), so nothing derived from them overflows: one mapping for all of them,
    rather than a field declared again in every serializer."""
    from django.db import models
    from rest_framework.serializers import ModelSerializer

    from .dates import BoundedDateField, BoundedDateTimeField

    ModelSerializer.serializer_field_mapping[models.DateTimeField] = BoundedDateTimeField
    ModelSerializer.serializer_field_mapping[models.DateField] = BoundedDateField
