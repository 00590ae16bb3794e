from django.db import migrations

from core.tenancy import TenantRowLevelSecurity


class Migration(migrations.Migration):
    """Row-level security from the models' declarations, and keys bound to the tenant."""

    dependencies = [
        ("payments", "0004_tenant_required"),
        ("bookings", "0005_row_level_security"),
    ]

    operations = [
        TenantRowLevelSecurity(model_name="customer", tenant_path="tenant", tenant_key=True, tenant_bound=["client"]),
        TenantRowLevelSecurity(model_name="paymentsession", tenant_path="tenant", tenant_bound=["customer", "booking"]),
        TenantRowLevelSecurity(model_name="paymenttransaction", tenant_path="session__tenant"),
    ]
