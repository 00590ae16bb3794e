# Tenancy, step 2: a lead follows its owner, else the client it was converted to; the
# rest join the default tenant. A lead converted to another tenant's client stops the
# migration.

from django.db import migrations

from core.retrofit import assert_same_tenant, backfill_tenant


def forwards(apps, schema_editor):
    backfill_tenant(apps, "crm", "Lead", via=["owner__tenant", "converted_client__tenant"])
    assert_same_tenant(apps, "crm", "Lead", relations=["converted_client"])


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0002_tenant"),
        ("accounts", "0003_backfill_user_tenant"),
        ("bookings", "0003_backfill_tenant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
