# Tenancy, step 2: a staff profile belongs to the business of its user; a profile whose
# user is a platform operator (no tenant) joins the default tenant. Shifts, leave,
# training, working hours, timesheets and absences follow their profile (children).

from django.db import migrations

from core.retrofit import backfill_tenant


def forwards(apps, schema_editor):
    backfill_tenant(apps, "staff", "StaffProfile", via=["user__tenant"])


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_tenant"),
        ("accounts", "0003_backfill_user_tenant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
