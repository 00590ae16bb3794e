from django.db import migrations

from core.tenancy import AddTenantKey, CarryTenant


class Migration(migrations.Migration):
    """Every row of comms' tables carries its tenant, added online (``CarryTenant``)."""

    atomic = False

    dependencies = [
        ("comms", "0005_row_level_security"),
        ("core", "0016_governance"),
    ]

    operations = [
        AddTenantKey(model_name="channel"),
        CarryTenant(model_name="channelmember", tenant_path="channel__tenant"),
        CarryTenant(model_name="message", tenant_path="channel__tenant"),
        AddTenantKey(model_name="message"),
        CarryTenant(model_name="messageattachment", tenant_path="message__channel__tenant"),
    ]
