"""A business's archive as a background job: its owner asks (``POST /api/tenant/export/``),
a worker writes the same archive as ``export_tenant`` into the business's files, the
owner is e-mailed, downloads it through the API, and it expires.

One export at a time per business: a second request while one is pending or running is
refused (``ExportInProgress``), also between two requests racing (a unique index on the
business's active export). The job is idempotent: a message delivered again after its
export is ready builds nothing; one delivered again after a worker died mid-build builds
it again, and whichever build finishes second throws its archive away.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from accounts.models import User
from core.lifecycle.audit import platform_audit_record
from core.lifecycle.export import tenant_export
from core.mail import business_email_send, business_frontend_url
from core.models import PlatformAuditRecord, TenantExport, TenantSettings
from core.tenancy import delete_after_commit, in_tenant_scope

log = logging.getLogger(__name__)

ACTIVE = (TenantExport.Status.PENDING, TenantExport.Status.RUNNING)
# An export still pending or running this long after it was asked for was lost (its
# message never reached a broker that was down, or every worker that took it died);
# it is marked failed so the business can ask again. Well past the broker's visibility
# timeout (1 h), after which a message a dead worker held is delivered again.
STALE_AFTER = timedelta(hours=6)
FAILED_MESSAGE = "The archive could not be written. Please try again; if it fails again, contact support."
LOST_MESSAGE = "The export did not finish in time. Please try again."


class ExportInProgress(Exception):
    """The business has an export pending or running already (``export_id``)."""

    def __init__(self, export_id: int | None) -> None:
        super().__init__(f"Export {export_id} is still in progress.")
        self.export_id = export_id


def tenant_export_request(*, tenant: TenantSettings, by: User) -> TenantExport:
    """Ask for ``tenant``'s archive: a pending export, built by a worker once the caller's
    transaction commits. Raises ``ExportInProgress`` while another one is active."""
    # The task module imports this one for the job's work.
    from core.tasks import tenant_export_build as build_task

    with in_tenant_scope(tenant):
        _fail_stale(now=timezone.now())
        active = TenantExport.objects.filter(status__in=ACTIVE).values_list("pk", flat=True).first()
        if active is not None:
            raise ExportInProgress(active)
        try:
            with transaction.atomic():
                export = TenantExport.objects.create(tenant=tenant, requested_by=by)
        except IntegrityError:  # a concurrent request created one between our read and insert
            raise ExportInProgress(
                TenantExport.objects.filter(status__in=ACTIVE).values_list("pk", flat=True).first()
            ) from None
        build_task.delay_on_commit(export.pk)
    return export


def tenant_export_build(*, tenant: TenantSettings, export_id: int) -> TenantExport | None:
    """Write the archive of ``export_id`` into the business's files, record it and e-mail
    its requester; None when there is nothing to build (gone, ready, failed or expired)."""
    with in_tenant_scope(tenant):
        export = _start(export_id)
        if export is None:
            return None
        try:
            with tempfile.TemporaryFile(prefix="tenant-export-") as work:
                # Outside any transaction of ours: the export reads one snapshot of its own.
                manifest = tenant_export(tenant=tenant, target=work)
                size = work.tell()
                work.seek(0)
                name = f"{tenant.slug}-{timezone.localtime(manifest['created_at']):%Y%m%d-%H%M%S}.tar.gz"
                export.archive.save(name, File(work), save=False)
        except Exception:
            log.exception("export %s of tenant %s failed", export.pk, tenant.slug)
            TenantExport.objects.filter(pk=export.pk, status=TenantExport.Status.RUNNING).update(
                status=TenantExport.Status.FAILED, error=FAILED_MESSAGE, finished_at=timezone.now()
            )
            return export
        rows = sum(entry["rows"] for entry in manifest["tables"])
        return _finish(tenant=tenant, export=export, size=size, rows=rows, manifest=manifest)


def _start(export_id: int) -> TenantExport | None:
    with transaction.atomic():
        export = TenantExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status not in ACTIVE:
            log.info("export %s not built: %s", export_id, "gone" if export is None else export.status)
            return None
        # Running already: the worker that took it died, and this is its message again.
        export.status = TenantExport.Status.RUNNING
        export.save(update_fields=["status"])
    return export


def _finish(*, tenant: TenantSettings, export: TenantExport, size: int, rows: int, manifest: dict) -> TenantExport:
    stored = export.archive.name
    now = timezone.now()
    with transaction.atomic():
        current = TenantExport.objects.select_for_update().get(pk=export.pk)
        if current.status != TenantExport.Status.RUNNING:
            # Another delivery finished it, or it was given up as lost: keep no second file.
            delete_after_commit(export.archive.storage, stored)
            return current
        current.archive.name = stored
        current.status = TenantExport.Status.READY
        current.size, current.rows = size, rows
        current.finished_at = now
        current.expires_at = now + timedelta(days=settings.TENANT_EXPORT_DAYS)
        current.save(update_fields=["archive", "status", "size", "rows", "finished_at", "expires_at"])
        from core.tasks import tenant_export_ready_send

        tenant_export_ready_send.delay_on_commit(current.pk)
    requester = current.requested_by.username if current.requested_by else "a former owner"
    platform_audit_record(
        action=PlatformAuditRecord.Action.EXPORTED,
        tenant=tenant,
        performed_by=requester,
        details={
            "export_id": current.pk,
            "rows": rows,
            "files": sum("member" in entry for entry in manifest["files"]),
            "bytes": size,
        },
    )
    return current


def tenant_export_ready_email(*, tenant: TenantSettings, export_id: int) -> bool:
    """E-mail the requester that the archive is ready, once; False when the export is no
    longer ready or its requester cannot be mailed."""
    with in_tenant_scope(tenant):
        export = (
            TenantExport.objects.select_related("requested_by")
            .filter(pk=export_id, status=TenantExport.Status.READY)
            .first()
        )
        user = export.requested_by if export else None
        if user is None or not user.is_active or not user.email:
            return False
        return business_email_send(
            tenant=tenant,
            key=f"export:{export.pk}:ready",
            to=[user.email],
            subject=f"{tenant.name}: your data export is ready",
            template="export_ready",
            context={
                "user": user,
                "link": business_frontend_url(tenant=tenant, path="/settings/export"),
                "size": filesizeformat(export.size or 0),
                "expires": _when(tenant, export.expires_at),
            },
        )


def _when(tenant: TenantSettings, moment: datetime) -> str:
    """``8 December 2026 at 10:00``, on the business's own clock."""
    local = tenant.local(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def tenant_exports_expire(*, tenant: TenantSettings, now: datetime) -> int:
    """Delete the files of ``tenant``'s archives that expired by ``now`` and mark them
    expired (the rows stay, as the business's history of exports); give up exports that
    were lost. The number expired."""
    with in_tenant_scope(tenant):
        _fail_stale(now=now)
        expired = 0
        due = TenantExport.objects.filter(status=TenantExport.Status.READY, expires_at__lte=now)
        for export in due:
            with transaction.atomic():
                changed = TenantExport.objects.filter(pk=export.pk, status=TenantExport.Status.READY).update(
                    status=TenantExport.Status.EXPIRED, archive=""
                )
                if changed:
                    delete_after_commit(export.archive.storage, export.archive.name)
                    expired += changed
        return expired


def businesses_with_exports_to_tidy(*, now: datetime) -> list[TenantSettings]:
    """The active businesses with an archive past its expiry or an export that was lost
    (read across businesses: the caller is a platform task)."""
    due = TenantExport.objects.filter(status=TenantExport.Status.READY, expires_at__lte=now) | (
        TenantExport.objects.filter(status__in=ACTIVE, created_at__lte=now - STALE_AFTER)
    )
    return list(TenantSettings.objects.filter(is_active=True, pk__in=due.values("tenant_id")))


def _fail_stale(*, now: datetime) -> None:
    TenantExport.objects.filter(status__in=ACTIVE, created_at__lte=now - STALE_AFTER).update(
        status=TenantExport.Status.FAILED, error=LOST_MESSAGE, finished_at=now
    )
