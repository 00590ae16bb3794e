# Tenancy, step 3: the tenant is required; uniqueness and list indexes are per tenant.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_backfill_tenant")]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AlterField(
            model_name="paymentsession",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["tenant", "name"], name="payments_customer_tenant_name"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["tenant", "created_at"], name="payments_customer_tenant_made"),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("email", ""), _negated=True),
                fields=("tenant", "email"),
                name="payments_customer_unique_email",
            ),
        ),
        migrations.AddIndex(
            model_name="paymentsession",
            index=models.Index(fields=["tenant", "created_at"], name="payments_session_tenant_made"),
        ),
        migrations.AddIndex(
            model_name="paymentsession",
            index=models.Index(fields=["tenant", "status", "created_at"], name="payments_session_tenant_state"),
        ),
        migrations.AddConstraint(
            model_name="paymentsession",
            constraint=models.UniqueConstraint(
                fields=("tenant", "idempotency_key"), name="payments_session_idempotency"
            ),
        ),
    ]
