"""What each business uses, for operators: rows, stored file bytes and requests a day.

Kept cheap at 10,000 businesses. A request costs nothing here: its business's count of
the day is one ``HINCRBY`` in the Lua script that takes its request slot anyway
(core.tenancy.runtime.governance), one Redis hash a day for every business. Once a day a
platform task (``core.tasks.tenant_usage_snapshot``) writes one row per business: rows
counted with one ``GROUP BY`` per tenant table (a few dozen queries, whatever the
number of businesses, each an index-only scan of the tenant index), file bytes from one
walk of the storage's ``tenants/`` folder, and the day's counts read in one ``HGETALL``;
written with one batched upsert. Counting on every write instead would add work to every
request of every business for figures operators read once a day.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import date

from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db.models import Count

from core.models import TenantSettings, TenantUsage
from core.tenancy import project_models, requests_of_day, tenant_table_models, unscoped_all_tenants

TENANT_FOLDER = "tenants"  # where tenant_upload_to puts every business's files


def rows_by_tenant() -> Counter[int]:
    """Each business's rows in every tenant table, by tenant id."""
    counts: Counter[int] = Counter()
    with unscoped_all_tenants("usage figures: rows of each business"):
        for model, lookup in tenant_table_models(project_models()).values():
            grouped = model._base_manager.order_by().values_list(lookup).annotate(n=Count("*"))
            for tenant_id, n in grouped:
                if tenant_id is not None:
                    counts[tenant_id] += n
    return counts


def file_bytes_by_slug(storage: Storage = default_storage) -> Counter[str]:
    """Bytes stored under ``tenants/<slug>/``, by slug: one walk of the folder."""
    sizes: Counter[str] = Counter()
    if isinstance(storage, FileSystemStorage):
        root = storage.path(TENANT_FOLDER)
        for folder, _dirs, files in os.walk(root):
            slug = os.path.relpath(folder, root).split(os.sep)[0]
            if slug != ".":
                sizes[slug] += sum(os.path.getsize(os.path.join(folder, name)) for name in files)
        return sizes
    # Object storage: a listing per folder and a size per file; daily, so it may be slow.
    pending = [TENANT_FOLDER]
    while pending:
        folder = pending.pop()
        dirs, files = storage.listdir(folder)
        pending.extend(f"{folder}/{name}" for name in dirs)
        if folder != TENANT_FOLDER:
            slug = folder.split("/")[1]
            sizes[slug] += sum(storage.size(f"{folder}/{name}") for name in files)
    return sizes


def usage_snapshot(*, day: date) -> int:
    """Write ``day``'s usage of every business (again, if it was written already); how
    many businesses. Run with every business in scope (the platform task's bypass)."""
    rows, sizes, requests = rows_by_tenant(), file_bytes_by_slug(), requests_of_day(day)
    usage = [
        TenantUsage(
            business_id=tenant_id,
            business_slug=slug,
            day=day,
            rows=rows[tenant_id],
            file_bytes=sizes[slug],
            requests=requests.get(tenant_id, 0),
        )
        for tenant_id, slug in TenantSettings.objects.order_by("pk").values_list("pk", "slug")
    ]
    TenantUsage.objects.bulk_create(
        usage,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["business_id", "day"],
        update_fields=["business_slug", "rows", "file_bytes", "requests", "measured_at"],
    )
    return len(usage)
