from django.db import migrations

from core.tenancy import AddTenantKey, CarryTenant


class Migration(migrations.Migration):
    """Every row of comms' tables carries its tenant: each child gets a ``tenant_id`` of its own,
    copied from its parent and bound to it by ``(tenant_id, parent_id)``, added online
    (not atomic: each batch of the copy commits on its own, indexes are built
    concurrently), and its policy becomes one comparison."""

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
