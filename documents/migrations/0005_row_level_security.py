from django.db import migrations

from core.tenancy import TenantRowLevelSecurity


class Migration(migrations.Migration):
    """Row-level security from the models' declarations, and keys bound to the tenant."""

    dependencies = [
        ("documents", "0004_tenant_required"),
    ]

    operations = [
        TenantRowLevelSecurity(model_name="documenttag", tenant_path="tenant", tenant_key=True),
        TenantRowLevelSecurity(
            model_name="document", tenant_path="tenant", tenant_key=True, tenant_bound_links=["tags"]
        ),
    ]
