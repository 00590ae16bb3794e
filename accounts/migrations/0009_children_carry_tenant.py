from django.db import migrations

from core.tenancy import AddTenantKey, AddTenantLink, CarryTenant


class Migration(migrations.Migration):
    """Every row of accounts' tables carries its tenant, added online (``CarryTenant``)."""

    atomic = False

    dependencies = [
        ("accounts", "0008_password_token_purpose"),
        ("core", "0016_governance"),
    ]

    operations = [
        AddTenantKey(model_name="user"),
        CarryTenant(model_name="passwordtoken", tenant_path="user__tenant", null=True),
        CarryTenant(model_name="auditlogentry", tenant_path="user__tenant", null=True),
        AddTenantLink(model_name="user", name="groups", tenant_path="tenant"),
        AddTenantLink(model_name="user", name="user_permissions", tenant_path="tenant"),
    ]
