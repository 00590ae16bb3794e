"""Backfill of the tenant column during the retrofit migrations.

Each app's ``0003`` data migration calls :func:`backfill_tenant` for its root models:
rows take the tenant of a related row where one says (``Document.uploaded_by.tenant``,
``Booking.client.tenant``, or through a reverse path such as ``Service.bookings.tenant``),
else the default tenant (``TENANT_BACKFILL_DEFAULT``, else the first tenant created).

Then the migration makes the data fit what the tenant-aware schema demands:
:func:`deduplicate` resolves rows that become duplicates once uniqueness is per tenant,
and :func:`assert_same_tenant` refuses, loudly, rows related across two tenants.

These helpers run on historical models (``apps.get_model``) and only in migrations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.db.models import Count

# Run by migrations only, on historical models, which have no tenant managers.
tenancy_migration_only = True

BATCH = 1000
SHOWN = 10

FIX = "Move the rows to one tenant, then migrate again (set their tenant by hand while it is still nullable)."


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


def _update_in_batches(model, pks: Sequence[int], **values) -> int:
    changed = 0
    for start in range(0, len(pks), BATCH):
        changed += model._base_manager.filter(pk__in=pks[start : start + BATCH]).update(**values)
    return changed


def backfill_tenant(
    apps, app_label: str, model_name: str, *, via: Iterable[str] = (), exclude: dict | None = None
) -> int:
    """Give every row of the model without a tenant one; returns the rows changed.

    Each path of ``via`` (``"client__tenant"``, or a reverse, multi-valued one such as
    ``"bookings__tenant"``) is tried in turn on the rows still without a tenant; the rest
    get the default tenant. A row to which a path leads to two different tenants is not
    given either, nor the default: it keeps no tenant, for :func:`assert_same_tenant`
    (or the NOT NULL step after the backfill) to report.
    """
    model = apps.get_model(app_label, model_name)
    pending = model._base_manager.filter(tenant__isnull=True)
    if exclude:
        pending = pending.exclude(**exclude)
    changed = 0
    undecided: set[int] = set()
    for path in via:
        found: dict[int, set[int]] = defaultdict(set)
        rows = pending.filter(**{f"{path}__isnull": False}).order_by().distinct().values_list("pk", f"{path}_id")
        for pk, tenant_id in rows.iterator():
            if pk not in undecided:
                found[pk].add(tenant_id)
        by_tenant: dict[int, list[int]] = defaultdict(list)
        for pk, tenant_ids in found.items():
            if len(tenant_ids) == 1:
                by_tenant[next(iter(tenant_ids))].append(pk)
            else:
                undecided.add(pk)
        for tenant_id, pks in by_tenant.items():
            changed += _update_in_batches(model, pks, tenant_id=tenant_id)
    if undecided:
        leftover = [pk for pk in pending.order_by("pk").values_list("pk", flat=True).iterator() if pk not in undecided]
        if leftover:
            changed += _update_in_batches(model, leftover, tenant_id=default_tenant_id(apps))
    elif pending.exists():
        changed += pending.update(tenant_id=default_tenant_id(apps))
    return changed


def deduplicate(
    apps,
    app_label: str,
    model_name: str,
    *,
    fields: Sequence[str] = ("tenant", "name"),
    resolve: Callable[[object, object, int], None],
    exclude: dict | None = None,
) -> int:
    """Resolve rows that share ``fields`` (as a unique constraint on them would see it).

    In each group of duplicates the oldest row (lowest pk) is kept as it is; for the
    others, in pk order, ``resolve(row, original_row, n)`` is called (``n`` = 2, 3, ...)
    and must change the row so that it no longer collides; the row is then saved. Rows
    matching ``exclude`` (a constraint's condition, e.g. ``{"email": ""}``) and groups
    with a NULL among ``fields`` (never equal for a constraint) are left alone. Returns
    the rows changed; raises :class:`BackfillError` if duplicates remain.
    """
    model = apps.get_model(app_label, model_name)
    fields = tuple(fields)
    rows = model._base_manager.all()
    if exclude:
        rows = rows.exclude(**exclude)

    def duplicate_groups() -> list[dict]:
        groups = rows.order_by().values(*fields).annotate(copies=Count("pk")).filter(copies__gt=1)
        keys = [{name: group[name] for name in fields} for group in groups]
        return [key for key in keys if None not in key.values()]

    changed = 0
    concrete = model._meta.concrete_fields
    attnames = {name: model._meta.get_field(name).attname for name in fields}
    for key in duplicate_groups():
        original, *copies = rows.filter(**key).order_by("pk")
        for n, row in enumerate(copies, start=2):
            before = {field.attname: getattr(row, field.attname) for field in concrete}
            resolve(row, original, n)
            updated = [field.name for field in concrete if getattr(row, field.attname) != before[field.attname]]
            if all(getattr(row, attnames[name]) == value for name, value in key.items()):
                raise BackfillError(
                    f"{app_label}.{model_name} #{row.pk} still duplicates #{original.pk} on {', '.join(fields)} "
                    f"after {getattr(resolve, '__name__', resolve)}."
                )
            row.save(update_fields=updated)
            changed += 1
    remaining = duplicate_groups()
    if remaining:
        raise BackfillError(
            f"{app_label}.{model_name} still has duplicates on {', '.join(fields)} after deduplication: "
            f"{remaining[:SHOWN]}."
        )
    return changed


def numbered(row, field: str, n: int, *, scope: Iterable[str] = ("tenant",)) -> str:
    """``"<value> (n)"`` for a copy of ``row``: n counts up until no other row in scope has it.

    The value is shortened to fit the field's ``max_length`` if it has one.
    """
    model = type(row)
    max_length = model._meta.get_field(field).max_length
    value = getattr(row, field)
    attnames = [model._meta.get_field(name).attname for name in scope]
    others = model._base_manager.filter(**{attname: getattr(row, attname) for attname in attnames}).exclude(pk=row.pk)
    while True:
        suffix = f" ({n})"
        candidate = (value[: max_length - len(suffix)] if max_length else value) + suffix
        if not others.filter(**{field: candidate}).exists():
            return candidate
        n += 1


def assert_same_tenant(apps, app_label: str, model_name: str, *, relations: Sequence[str]) -> None:
    """Raise :class:`BackfillError` unless every row shares the tenant of each related row.

    Names (up to ``SHOWN`` of each) the rows whose tenant differs from (or is missing
    on) their related rows, and the related rows used by rows of several tenants, the
    ones a reverse path in :func:`backfill_tenant` could not decide.
    """
    model = apps.get_model(app_label, model_name)
    slugs = dict(apps.get_model("core", "TenantSettings")._base_manager.values_list("pk", "slug"))
    columns = ["pk", "tenant_id"]
    for relation in relations:
        columns += [f"{relation}_id", f"{relation}__tenant_id"]

    mismatched: list[int] = []
    used_by: dict[str, dict[int, set[int | None]]] = {relation: defaultdict(set) for relation in relations}
    for pk, tenant_id, *related in model._base_manager.order_by("pk").values_list(*columns).iterator():
        wrong = tenant_id is None
        for index, relation in enumerate(relations):
            related_id, related_tenant_id = related[2 * index], related[2 * index + 1]
            if related_id is None:
                continue
            used_by[relation][related_id].add(tenant_id)
            wrong = wrong or related_tenant_id != tenant_id
        if wrong:
            mismatched.append(pk)

    def listed(items: Sequence) -> str:
        shown = ", ".join(str(item) for item in items[:SHOWN])
        return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")

    def tenant_names(tenant_ids: set[int | None]) -> str:
        return ", ".join(sorted(slugs.get(tenant_id, "no tenant") for tenant_id in tenant_ids))

    problems = []
    if mismatched:
        problems.append(
            f"{len(mismatched)} {model_name} row(s) belong to another tenant than their {' / '.join(relations)} "
            f"(ids {listed(mismatched)})."
        )
    for relation in relations:
        shared = sorted(related_id for related_id, tenants in used_by[relation].items() if len(tenants) > 1)
        if shared:
            related_name = model._meta.get_field(relation).related_model._meta.object_name
            described = [f"#{related_id} ({tenant_names(used_by[relation][related_id])})" for related_id in shared]
            problems.append(
                f"{len(shared)} {related_name} row(s) are used by {model_name} rows of several tenants: "
                f"{listed(described)}."
            )
    if problems:
        raise BackfillError(
            f"The tenancy retrofit of {app_label}.{model_name} is inconsistent: {' '.join(problems)} {FIX}"
        )
