from django.db import migrations

from core.tenancy import AddTenantKey, CarryTenant


class Migration(migrations.Migration):
    """Every row of compliance tables carries its tenant, added online (``CarryTenant``)."""

    atomic = False

    dependencies = [
        ("compliance", "0005_row_level_security"),
        ("core", "0016_governance"),
    ]

    operations = [
        AddTenantKey(model_name="incidentreport"),
        CarryTenant(model_name="incidentphoto", tenant_path="incident__tenant"),
        CarryTenant(model_name="signoff", tenant_path="incident__tenant"),
        AddTenantKey(model_name="riskassessment"),
        CarryTenant(model_name="hazardfinding", tenant_path="assessment__tenant"),
        AddTenantKey(model_name="equipment"),
        CarryTenant(model_name="equipmentinspection", tenant_path="equipment__tenant"),
        AddTenantKey(model_name="peaceofmindscore"),
        CarryTenant(model_name="scoreauditlog", tenant_path="score__tenant"),
    ]
