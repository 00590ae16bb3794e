# Tenancy, step 3: the tenant is required; channel names and list indexes are per tenant.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("comms", "0003_backfill_tenant")]

    operations = [
        migrations.AlterField(
            model_name="channel",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AddIndex(
            model_name="channel",
            index=models.Index(fields=["tenant", "is_archived", "name"], name="comms_channel_tenant_arch"),
        ),
        migrations.AddIndex(
            model_name="channel",
            index=models.Index(fields=["tenant", "created_at"], name="comms_channel_tenant_created"),
        ),
        migrations.AddConstraint(
            model_name="channel",
            constraint=models.UniqueConstraint(fields=("tenant", "name"), name="comms_channel_unique_name"),
        ),
    ]
