# Tenancy, step 3: the tenant is required; the pipeline's list indexes start with it.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("crm", "0003_backfill_tenant")]

    operations = [
        migrations.AlterField(
            model_name="lead",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["tenant", "status", "created_at"], name="crm_lead_tenant_status"),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["tenant", "created_at"], name="crm_lead_tenant_created"),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["tenant", "next_follow_up"], name="crm_lead_tenant_follow_up"),
        ),
    ]
