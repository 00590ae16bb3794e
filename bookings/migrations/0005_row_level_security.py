from django.db import migrations

from core.tenancy import TenantRowLevelSecurity


class Migration(migrations.Migration):
    """Row-level security from the models' declarations, and keys bound to the tenant."""

    dependencies = [
        ("bookings", "0004_tenant_required"),
    ]

    operations = [
        TenantRowLevelSecurity(model_name="service", tenant_path="tenant", tenant_key=True),
        TenantRowLevelSecurity(
            model_name="staff", tenant_path="tenant", tenant_key=True, tenant_bound_links=["services"]
        ),
        TenantRowLevelSecurity(model_name="client", tenant_path="tenant", tenant_key=True),
        TenantRowLevelSecurity(
            model_name="booking", tenant_path="tenant", tenant_key=True, tenant_bound=["client", "service", "staff"]
        ),
        TenantRowLevelSecurity(model_name="classpackage", tenant_path="service__tenant"),
        TenantRowLevelSecurity(model_name="clientcredit", tenant_path="client__tenant"),
        TenantRowLevelSecurity(model_name="intakeprofile", tenant_path="client__tenant"),
    ]
