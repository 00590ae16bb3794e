"""Tasks that report the scope they ran in, for the suites of background jobs (loaded by
the test worker with ``celery -I tests.job_probes``; not part of the project's apps)."""

from __future__ import annotations

import json
import os
import threading

from django.db import connection

from bookings.models import Service
from core.tenancy import get_current_tenant, platform_task, tenant_task


def scope_report(marker: str) -> dict:
    """What a task sees: its tenant, the services the ORM shows it and the rows the
    database itself shows it (the same on PostgreSQL, where row-level security applies),
    and where it ran."""
    tenant = get_current_tenant()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM bookings_service ORDER BY name")
        raw = [name for (name,) in cursor.fetchall()]
    report = {
        "marker": marker,
        "tenant": getattr(tenant, "pk", None),
        "services": sorted(Service.objects.values_list("name", flat=True)),
        "raw_services": raw,
        "pid": os.getpid(),
        "thread": threading.get_ident(),
    }
    path = os.environ.get("JOB_PROBE_FILE")
    if path:
        with open(path, "a") as out:
            out.write(json.dumps(report) + "\n")
    return report


@tenant_task(name="tests.job_probes.record_scope")
def record_scope(marker: str) -> dict:
    return scope_report(marker)


@platform_task(name="tests.job_probes.count_every_service", reason="test: count every business's services")
def count_every_service() -> int:
    return Service.objects.count()
