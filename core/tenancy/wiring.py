"""Where the tenancy core hooks into Django, connected once by the app that owns the
tenant (``core.apps.CoreConfig.ready``)."""

from __future__ import annotations

from django.apps import AppConfig


def install(owner: AppConfig) -> None:
    """Register the checks and connect the receivers: the write guard of many-to-many
    links, the database scope of every PostgreSQL connection, the grants and proof key
    after ``migrate`` (once, for ``owner``'s migrations), and the login receivers that
    must run in the user's scope."""
    from django.contrib.auth.models import update_last_login
    from django.contrib.auth.signals import user_logged_in
    from django.db.backends.signals import connection_created
    from django.db.models.signals import m2m_changed, post_migrate

    from . import checks  # noqa: F401  (registers the system checks)
    from .migration.grants import grant_after_migrate
    from .models import refuse_cross_tenant_m2m
    from .runtime.authentication import update_last_login_in_scope
    from .runtime.database import install_scope_sync
    from .runtime.middleware import bind_session_to_host

    m2m_changed.connect(refuse_cross_tenant_m2m, dispatch_uid="tenancy_m2m_guard")
    connection_created.connect(install_scope_sync, dispatch_uid="tenancy_scope_sync")
    post_migrate.connect(grant_after_migrate, sender=owner, dispatch_uid="tenancy_runtime_grants")
    # Django's receiver writes last_login with no tenant in scope, which RLS refuses.
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    user_logged_in.connect(update_last_login_in_scope, dispatch_uid="tenancy_update_last_login")
    user_logged_in.connect(bind_session_to_host, dispatch_uid="tenancy_session_host")
