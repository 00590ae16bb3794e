# Tenancy, step 3: the tenant is required, and the feed is listed per tenant.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0003_backfill_businessevent_tenant")]

    operations = [
        migrations.AlterField(
            model_name="businessevent",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AddIndex(
            model_name="businessevent",
            index=models.Index(fields=["tenant", "created_at"], name="core_event_tenant_created"),
        ),
    ]
