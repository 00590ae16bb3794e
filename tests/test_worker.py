"""Background tasks on a real Celery worker, started from the Procfile's ``worker`` line
against a Redis of the test's own, as the runtime role on PostgreSQL: the tenant of each
message is the one it was enqueued in, one worker thread running A's task then B's never
carries A into B's, and a message that names no business, or one that is inactive, is
dropped and not retried."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from accounts.factories import UserFactory
from accounts.models import User
from bookings.factories import ServiceFactory
from core.factories import TenantFactory
from core.models import PlatformAuditRecord, TenantExport
from tests.faults import ProcfileProcess
from tests.jobs import ROOT
from tests.plugin import rows
from tests.rls import needs_postgresql

pytestmark = [needs_postgresql, pytest.mark.django_db(transaction=True)]


def enqueue(env: dict, code: str) -> None:
    """Run ``code`` in a process of its own with the worker's settings, as a web process
    enqueues: Django set up, ``tenants`` by slug, the probe tasks imported."""
    script = (
        "import django; django.setup()\n"
        "from core.models import TenantSettings\n"
        "from core.tenancy import tenant_context, unscoped_all_tenants\n"
        "from config.celery import app\n"
        "from tests.job_probes import record_scope\n"
        "tenants = {t.slug: t for t in TenantSettings.objects.all()}\n" + code
    )
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, timeout=60)


def reports(path: Path, markers: set[str], seconds: float = 30) -> dict[str, dict]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = {}
        if path.exists():
            for line in path.read_text().splitlines():
                entry = json.loads(line)
                found[entry["marker"]] = entry
        if markers <= found.keys():
            return found
        time.sleep(0.2)
    raise AssertionError(f"no report of {markers - found.keys()} in {seconds} s")


def test_one_worker_thread_runs_each_task_in_its_own_business_only(job_env, worker):
    a = TenantFactory(slug="salon-x")
    b = TenantFactory(slug="restaurant-x")
    ServiceFactory(tenant=a, name="Alpha Haircut")
    ServiceFactory(tenant=b, name="Bravo Massage")

    enqueue(
        job_env,
        "with tenant_context(tenants['salon-x']):\n    record_scope.delay('a1')\n"
        "with tenant_context(tenants['restaurant-x']):\n    record_scope.delay('b1')\n"
        "with tenant_context(tenants['salon-x']):\n    record_scope.delay('a2')\n",
    )
    seen = reports(Path(job_env["JOB_PROBE_FILE"]), {"a1", "b1", "a2"})

    for marker, tenant, service in (("a1", a, "Alpha Haircut"), ("b1", b, "Bravo Massage"), ("a2", a, "Alpha Haircut")):
        assert seen[marker]["tenant"] == tenant.pk
        assert seen[marker]["services"] == [service]
        assert seen[marker]["raw_services"] == [service]  # what PostgreSQL shows the runtime role
    assert len({(r["pid"], r["thread"]) for r in seen.values()}) == 1


def test_a_message_with_no_business_or_an_inactive_one_is_dropped(job_env, worker):
    a = TenantFactory(slug="salon-x")
    TenantFactory(slug="restaurant-x", is_active=False)
    ServiceFactory(tenant=a, name="Alpha Haircut")

    enqueue(
        job_env,
        "app.send_task('tests.job_probes.record_scope', args=['headless'])\n"
        "with tenant_context(tenants['restaurant-x']):\n    record_scope.delay('inactive')\n"
        "with tenant_context(tenants['salon-x']):\n    record_scope.delay('after')\n",
    )
    seen = reports(Path(job_env["JOB_PROBE_FILE"]), {"after"})

    assert set(seen) == {"after"}
    log = worker.read_text()
    assert "its message names no tenant" in log
    assert "the business is inactive" in log
    assert "Retry" not in log


def test_the_worker_builds_an_owner_s_export_of_their_business_only(job_env, tmp_path, media_root):
    """The export job on a real worker: its snapshot is a transaction of its own, as the
    runtime role; the archive lands in the business's folder, and the audit is written
    as the platform role on its own connection."""
    job_env["MEDIA_ROOT"] = str(media_root)  # where the test reads the archive back
    process = ProcfileProcess("worker", job_env)
    process.launch(tmp_path / "export-worker.log", ready="ready.")
    try:
        a, b = TenantFactory(slug="salon-x"), TenantFactory(slug="restaurant-x")
        ServiceFactory(tenant=a, name="Alpha Haircut")
        ServiceFactory(tenant=b, name="Bravo Massage")
        UserFactory(tenant=a, username="owner", role=User.Role.OWNER)
        enqueue(
            job_env,
            "from django.db import transaction\n"
            "from accounts.models import User\n"
            "from core.lifecycle.jobs import tenant_export_request\n"
            "with tenant_context(tenants['salon-x']), transaction.atomic():\n"
            "    tenant_export_request(tenant=tenants['salon-x'], by=User.objects.get(username='owner'))\n",
        )
        export = _when_finished(seconds=60)
    finally:
        process.stop()

    assert export.status == TenantExport.Status.READY, export.error
    assert export.archive.name.startswith("tenants/salon-x/tenantexport/")
    with tarfile.open(media_root / export.archive.name, "r:gz") as tar:
        members = {info.name: tar.extractfile(info).read() for info in tar if info.isfile()}
    assert json.loads(members["manifest.json"])["tenant"]["slug"] == "salon-x"
    everything = b"".join(members.values())
    assert b"Alpha Haircut" in everything
    assert b"Bravo" not in everything and b"restaurant-x" not in everything
    assert [r.performed_by for r in rows(PlatformAuditRecord)] == ["owner"]


def _when_finished(*, seconds: float) -> TenantExport:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = rows(TenantExport)
        if found and found[0].status not in (TenantExport.Status.PENDING, TenantExport.Status.RUNNING):
            return found[0]
        time.sleep(0.3)
    raise AssertionError(f"the export did not finish in {seconds} s")
