from django.db import migrations

from core.tenancy import TenantRowLevelSecurity


class Migration(migrations.Migration):
    """Row-level security from the models' declarations, and keys bound to the tenant."""

    dependencies = [
        ("comms", "0004_tenant_required"),
    ]

    operations = [
        TenantRowLevelSecurity(model_name="channel", tenant_path="tenant"),
        TenantRowLevelSecurity(model_name="channelmember", tenant_path="channel__tenant"),
        TenantRowLevelSecurity(model_name="message", tenant_path="channel__tenant"),
        TenantRowLevelSecurity(model_name="messageattachment", tenant_path="message__channel__tenant"),
    ]
