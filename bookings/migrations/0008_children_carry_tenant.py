from django.db import migrations

from core.tenancy import AddTenantBoundKey, AddTenantKey, CarryTenant


class Migration(migrations.Migration):
    """Every row of bookings' tables carries its tenant, added online (``CarryTenant``)."""

    atomic = False

    dependencies = [
        ("bookings", "0007_opening_hours_and_staff_profile"),
        ("core", "0016_governance"),
    ]

    operations = [
        CarryTenant(model_name="classpackage", tenant_path="service__tenant"),
        AddTenantKey(model_name="classpackage"),
        CarryTenant(model_name="clientcredit", tenant_path="client__tenant"),
        AddTenantKey(model_name="clientcredit"),
        AddTenantBoundKey(model_name="clientcredit", name="package"),
        CarryTenant(model_name="intakeprofile", tenant_path="client__tenant"),
        AddTenantBoundKey(model_name="booking", name="credit"),
    ]
