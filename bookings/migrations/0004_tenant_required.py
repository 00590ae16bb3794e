# Tenancy, step 3: the tenant is required; uniqueness and list indexes are per tenant.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("bookings", "0003_backfill_tenant")]

    operations = [
        migrations.AlterField(
            model_name="service",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AlterField(
            model_name="staff",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AlterField(
            model_name="client",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AlterField(
            model_name="booking",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(fields=["tenant", "name"], name="bookings_client_tenant_name"),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(fields=["tenant", "created_at"], name="bookings_client_tenant_created"),
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.UniqueConstraint(
                condition=models.Q(("email", ""), _negated=True),
                fields=("tenant", "email"),
                name="bookings_client_unique_email",
            ),
        ),
        migrations.AddIndex(
            model_name="service",
            index=models.Index(fields=["tenant", "is_active", "name"], name="bookings_service_tenant_active"),
        ),
        migrations.AddConstraint(
            model_name="service",
            constraint=models.UniqueConstraint(fields=("tenant", "name"), name="bookings_service_unique_name"),
        ),
        migrations.AddIndex(
            model_name="staff",
            index=models.Index(fields=["tenant", "name"], name="bookings_staff_tenant_name"),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["tenant", "starts_at"], name="bookings_booking_tenant_start"),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["tenant", "status", "starts_at"], name="bookings_booking_tenant_state"),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["tenant", "created_at"], name="bookings_booking_tenant_made"),
        ),
    ]
