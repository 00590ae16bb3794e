# Tenancy, step 3: the tenant is required; the list indexes are per tenant.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("staff", "0003_backfill_tenant")]

    operations = [
        migrations.AlterField(
            model_name="staffprofile",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AddIndex(
            model_name="staffprofile",
            index=models.Index(fields=["tenant", "is_active"], name="staff_profile_tenant_active"),
        ),
        migrations.AddIndex(
            model_name="staffprofile",
            index=models.Index(fields=["tenant", "created_at"], name="staff_profile_tenant_created"),
        ),
    ]
