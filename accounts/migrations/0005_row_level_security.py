from django.db import migrations

from core.tenancy import TenantRowLevelSecurity


class Migration(migrations.Migration):
    """Row-level security from the models' declarations, and keys bound to the tenant."""

    dependencies = [
        ("accounts", "0004_user_tenant_required"),
    ]

    operations = [
        TenantRowLevelSecurity(model_name="user", tenant_path="tenant"),
        TenantRowLevelSecurity(model_name="passwordtoken", tenant_path="user__tenant"),
        TenantRowLevelSecurity(model_name="auditlogentry", tenant_path="user__tenant"),
    ]
