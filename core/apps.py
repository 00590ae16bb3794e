from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core and tenancy"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from .tenancy import checks  # noqa: F401  (registers the system checks)
        from .tenancy.models import refuse_cross_tenant_m2m

        m2m_changed.connect(refuse_cross_tenant_m2m, dispatch_uid="tenancy_m2m_guard")
