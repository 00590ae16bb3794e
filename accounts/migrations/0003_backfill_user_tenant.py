# Tenancy, step 2: every existing user but the platform operators joins the default tenant.

from django.db import migrations

from core.retrofit import backfill_tenant


def forwards(apps, schema_editor):
    backfill_tenant(apps, "accounts", "User", exclude={"is_superuser": True})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_tenant")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
