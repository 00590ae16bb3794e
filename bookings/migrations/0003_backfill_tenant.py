# Tenancy, step 2: bookings follow their client (or who made them); the rest of the
# pre-tenancy catalogue belongs to the default tenant.

from django.db import migrations

from core.tenancy.retrofit import backfill_tenant


def forwards(apps, schema_editor):
    for model_name in ("Service", "Staff", "Client"):
        backfill_tenant(apps, "bookings", model_name)
    backfill_tenant(apps, "bookings", "Booking", via=["client__tenant", "created_by__tenant"])


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0002_tenant"),
        ("accounts", "0003_backfill_user_tenant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
