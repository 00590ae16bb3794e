# Tenancy, step 2: a document follows the user who uploaded it, else the default tenant.
# A tag follows the documents it labels, else (unused) the default tenant. A tag used by
# documents of several tenants is split into one tag per tenant, each keeping its own
# tenant's links, so no many-to-many link ever joins two tenants; tag names that collide
# once uniqueness is per tenant are numbered. Rows still inconsistent stop the migration.

from django.db import migrations
from django.db.models import F, Q

from core.retrofit import FIX, BackfillError, backfill_tenant, deduplicate, numbered


def rename_duplicate_tag(tag, original, n):
    tag.name = numbered(tag, "name", n)


def split_shared_tags(apps) -> None:
    """Give each tenant its own copy of a tag that documents of several tenants use.

    Runs before the tags' backfill: the tag itself stays with the first of those tenants,
    and each other tenant's links move to a copy made for that tenant.
    """
    Tag = apps.get_model("documents", "DocumentTag")
    Link = apps.get_model("documents", "Document").tags.through
    for tag in Tag._base_manager.filter(tenant__isnull=True).order_by("pk"):
        links = Link._base_manager.filter(documenttag_id=tag.pk)
        tenant_ids = sorted(set(links.values_list("document__tenant_id", flat=True)) - {None})
        if len(tenant_ids) < 2:
            continue  # one tenant or none: the backfill below decides
        first, *others = tenant_ids
        Tag._base_manager.filter(pk=tag.pk).update(tenant_id=first)
        for tenant_id in others:
            copy = Tag._base_manager.create(tenant_id=tenant_id, name=tag.name, colour=tag.colour)
            links.filter(document__tenant_id=tenant_id).update(documenttag_id=copy.pk)


def assert_consistent(apps) -> None:
    Document = apps.get_model("documents", "Document")
    Link = Document.tags.through
    problems = []
    crossing = list(
        Link._base_manager.exclude(document__tenant_id=F("documenttag__tenant_id"))
        .order_by("pk")
        .values_list("document_id", "documenttag_id")[:10]
    )
    if crossing:
        problems.append(f"document/tag links join two tenants: {crossing}.")
    # Documents of operators (users without a tenant) may sit in any tenant.
    foreign_uploader = list(
        Document._base_manager.filter(uploaded_by__tenant__isnull=False)
        .filter(~Q(uploaded_by__tenant_id=F("tenant_id")))
        .order_by("pk")
        .values_list("pk", flat=True)[:10]
    )
    if foreign_uploader:
        problems.append(f"documents belong to another tenant than their uploader: ids {foreign_uploader}.")
    if problems:
        raise BackfillError(f"The tenancy retrofit of documents is inconsistent: {' '.join(problems)} {FIX}")


def forwards(apps, schema_editor):
    backfill_tenant(apps, "documents", "Document", via=["uploaded_by__tenant"])
    split_shared_tags(apps)
    backfill_tenant(apps, "documents", "DocumentTag", via=["documents__tenant"])
    deduplicate(apps, "documents", "DocumentTag", fields=("tenant", "name"), resolve=rename_duplicate_tag)
    assert_consistent(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_tenant"),
        ("accounts", "0003_backfill_user_tenant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
