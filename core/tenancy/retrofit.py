"""Backfill of the tenant column during the retrofit migrations.

Each app's ``0003`` data migration calls :func:`backfill_tenant` for its root models:
rows take the tenant of a related row where one says (``Document.uploaded_by.tenant``,
``Booking.client.tenant``), else the default tenant (``TENANT_BACKFILL_DEFAULT``, else
the first tenant created).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings

BATCH = 1000


class BackfillError(RuntimeError):
    pass


def default_tenant_id(apps) -> int:
    tenants = apps.get_model("core", "TenantSettings").objects
    slug = getattr(settings, "TENANT_BACKFILL_DEFAULT", "")
    if slug:
        tenant = tenants.filter(slug=slug).first()
        if tenant is None:
            raise BackfillError(f"TENANT_BACKFILL_DEFAULT names '{slug}', which does not exist.")
        return tenant.pk
    tenant = tenants.order_by("pk").first()
    if tenant is None:
        raise BackfillError("Rows need a tenant but none exists: create one or set TENANT_BACKFILL_DEFAULT.")
    return tenant.pk


def backfill_tenant(
    apps, app_label: str, model_name: str, *, via: Iterable[str] = (), exclude: dict | None = None
) -> int:
    """Give every row of the model without a tenant one; returns the rows changed."""
    model = apps.get_model(app_label, model_name)
    pending = model._base_manager.filter(tenant__isnull=True)
    if exclude:
        pending = pending.exclude(**exclude)
    changed = 0
    for path in via:
        by_tenant: dict[int, list[int]] = defaultdict(list)
        for pk, tenant_id in pending.filter(**{f"{path}__isnull": False}).values_list("pk", f"{path}_id").iterator():
            by_tenant[tenant_id].append(pk)
        for tenant_id, pks in by_tenant.items():
            for start in range(0, len(pks), BATCH):
                changed += model._base_manager.filter(pk__in=pks[start : start + BATCH]).update(tenant_id=tenant_id)
    if pending.exists():
        changed += pending.update(tenant_id=default_tenant_id(apps))
    return changed
