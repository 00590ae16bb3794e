"""Where observability hooks into Django, connected once by ``core.apps.CoreConfig.ready``
(after the tenancy's own wiring, so the SQL commenter runs inside its scope sync)."""

from __future__ import annotations


def install() -> None:
    from django.db.backends.signals import connection_created

    from core.tenancy import cross_tenant_attempt

    from . import jobs
    from .security import on_cross_tenant_attempt
    from .sql import install_sql_commenter

    cross_tenant_attempt.connect(on_cross_tenant_attempt, dispatch_uid="observability_security_events")
    connection_created.connect(install_sql_commenter, dispatch_uid="observability_sql_commenter")
    jobs.connect()
