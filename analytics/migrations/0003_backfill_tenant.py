# Tenancy, step 2: recommendations made before tenancy relate to no user or booking, so
# they belong to the default tenant (TENANT_BACKFILL_DEFAULT, else the first tenant).

from django.db import migrations

from core.retrofit import backfill_tenant


def forwards(apps, schema_editor):
    backfill_tenant(apps, "analytics", "Recommendation")


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_tenant"),
        ("accounts", "0003_backfill_user_tenant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
