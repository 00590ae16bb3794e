from django.db import migrations

from core.tenancy import TenantRowLevelSecurity


class Migration(migrations.Migration):
    """Row-level security from the models' declarations, and keys bound to the tenant."""

    dependencies = [
        ("compliance", "0004_tenant_required"),
    ]

    operations = [
        TenantRowLevelSecurity(model_name="compliancecategory", tenant_path="tenant", tenant_key=True),
        TenantRowLevelSecurity(model_name="complianceitem", tenant_path="tenant", tenant_bound=["category"]),
        TenantRowLevelSecurity(model_name="incidentreport", tenant_path="tenant"),
        TenantRowLevelSecurity(model_name="incidentphoto", tenant_path="incident__tenant"),
        TenantRowLevelSecurity(model_name="signoff", tenant_path="incident__tenant"),
        TenantRowLevelSecurity(model_name="riskassessment", tenant_path="tenant"),
        TenantRowLevelSecurity(model_name="hazardfinding", tenant_path="assessment__tenant"),
        TenantRowLevelSecurity(model_name="equipment", tenant_path="tenant"),
        TenantRowLevelSecurity(model_name="equipmentinspection", tenant_path="equipment__tenant"),
        TenantRowLevelSecurity(model_name="accidentreport", tenant_path="tenant"),
        TenantRowLevelSecurity(model_name="ramsdocument", tenant_path="tenant"),
        TenantRowLevelSecurity(model_name="peaceofmindscore", tenant_path="tenant"),
        TenantRowLevelSecurity(model_name="scoreauditlog", tenant_path="score__tenant"),
    ]
