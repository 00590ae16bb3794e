# Tenancy, step 2: an event belongs to the tenant of the user who performed it.

from django.db import migrations

from core.retrofit import backfill_tenant


def forwards(apps, schema_editor):
    backfill_tenant(apps, "core", "BusinessEvent", via=["performed_by__tenant"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_businessevent_tenant"),
        ("accounts", "0003_backfill_user_tenant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
