from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core and tenancy"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created
        from django.db.models.signals import m2m_changed, post_migrate

        from .tenancy import checks  # noqa: F401  (registers the system checks)
        from .tenancy.authentication import update_last_login_in_scope
        from .tenancy.middleware import bind_session_to_host
        from .tenancy.models import refuse_cross_tenant_m2m
        from .tenancy.rls import grant_after_migrate, install_scope_sync

        m2m_changed.connect(refuse_cross_tenant_m2m, dispatch_uid="tenancy_m2m_guard")
        connection_created.connect(install_scope_sync, dispatch_uid="tenancy_scope_sync")
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="tenancy_runtime_grants")
        # Django's receiver writes last_login with no tenant in scope, which RLS refuses.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(update_last_login_in_scope, dispatch_uid="tenancy_update_last_login")
        user_logged_in.connect(bind_session_to_host, dispatch_uid="tenancy_session_host")
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
