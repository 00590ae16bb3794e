from django.db import migrations

from core.tenancy import TenantRowLevelSecurity


class Migration(migrations.Migration):
    """Row-level security from the models' declarations, and keys bound to the tenant."""

    dependencies = [
        ("crm", "0004_tenant_required"),
        ("bookings", "0005_row_level_security"),
    ]

    operations = [
        TenantRowLevelSecurity(model_name="lead", tenant_path="tenant", tenant_bound=["converted_client"]),
    ]
