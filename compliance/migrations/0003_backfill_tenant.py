# Tenancy, step 2: incident and accident reports follow who reported them; risk assessments
# and RAMS documents follow who wrote them; categories, items, equipment and the score
# belong to the default tenant. Rows that become duplicates once uniqueness is per tenant
# are resolved without losing data.

from django.db import migrations
from django.db.models import Count

from core.retrofit import backfill_tenant, deduplicate, numbered


def rename_duplicate_category(category, original, n):
    category.name = numbered(category, "name", n)


def renumber_duplicate_serial(equipment, original, n):
    equipment.serial_number = numbered(equipment, "serial_number", n)


def renumber_duplicate_version(document, original, n):
    document.version = numbered(document, "version", n, scope=("tenant", "title"))


def keep_one_score_per_tenant(apps):
    """The score is derived: keep each tenant's latest row, with every audit entry."""
    Score = apps.get_model("compliance", "PeaceOfMindScore")
    AuditLog = apps.get_model("compliance", "ScoreAuditLog")
    crowded = Score._base_manager.order_by().values("tenant_id").annotate(rows=Count("pk")).filter(rows__gt=1)
    for group in crowded:
        kept, *extra = Score._base_manager.filter(tenant_id=group["tenant_id"]).order_by("-computed_at", "-pk")
        extra_pks = [score.pk for score in extra]
        AuditLog._base_manager.filter(score_id__in=extra_pks).update(score_id=kept.pk)
        Score._base_manager.filter(pk__in=extra_pks).delete()


def forwards(apps, schema_editor):
    for model_name in ("IncidentReport", "AccidentReport"):
        backfill_tenant(apps, "compliance", model_name, via=["reported_by__tenant"])
    for model_name in ("RiskAssessment", "RAMSDocument"):
        backfill_tenant(apps, "compliance", model_name, via=["created_by__tenant"])
    for model_name in ("ComplianceCategory", "ComplianceItem", "Equipment", "PeaceOfMindScore"):
        backfill_tenant(apps, "compliance", model_name)

    deduplicate(apps, "compliance", "ComplianceCategory", fields=("tenant", "name"), resolve=rename_duplicate_category)
    deduplicate(
        apps,
        "compliance",
        "Equipment",
        fields=("tenant", "serial_number"),
        exclude={"serial_number": ""},
        resolve=renumber_duplicate_serial,
    )
    deduplicate(
        apps, "compliance", "RAMSDocument", fields=("tenant", "title", "version"), resolve=renumber_duplicate_version
    )
    keep_one_score_per_tenant(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0002_tenant"),
        ("accounts", "0003_backfill_user_tenant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
