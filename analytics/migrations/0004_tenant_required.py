# Tenancy, step 3: the tenant is required and the recommendation list is indexed per tenant.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_backfill_tenant")]

    operations = [
        migrations.AlterField(
            model_name="recommendation",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(fields=["tenant", "status", "generated_at"], name="analytics_rec_tenant_state"),
        ),
    ]
