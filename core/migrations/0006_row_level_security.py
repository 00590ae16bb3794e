from django.db import migrations

from core.tenancy import TenantRowLevelSecurity


class Migration(migrations.Migration):
    """Row-level security from the models' declarations, and keys bound to the tenant."""

    dependencies = [
        ("core", "0005_businessevent_kinds"),
    ]

    operations = [
        TenantRowLevelSecurity(model_name="businessevent", tenant_path="tenant"),
    ]
