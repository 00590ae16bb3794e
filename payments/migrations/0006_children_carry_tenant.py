from django.db import migrations

from core.tenancy import AddTenantBoundKey, AddTenantKey, CarryTenant


class Migration(migrations.Migration):
    """Every row of payments tables carries its tenant, added online (``CarryTenant``)."""

    atomic = False

    dependencies = [
        ("payments", "0005_row_level_security"),
        ("core", "0016_governance"),
        ("bookings", "0008_children_carry_tenant"),
    ]

    operations = [
        AddTenantKey(model_name="paymentsession"),
        CarryTenant(model_name="paymenttransaction", tenant_path="session__tenant"),
        AddTenantBoundKey(model_name="paymentsession", name="class_package"),
    ]
