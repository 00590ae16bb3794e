from django.db import migrations

from core.tenancy import TenantRowLevelSecurity


class Migration(migrations.Migration):
    """Row-level security from the models' declarations, and keys bound to the tenant."""

    dependencies = [
        ("analytics", "0004_tenant_required"),
    ]

    operations = [
        TenantRowLevelSecurity(model_name="recommendation", tenant_path="tenant"),
    ]
