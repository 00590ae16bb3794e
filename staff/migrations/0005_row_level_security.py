from django.db import migrations

from core.tenancy import TenantRowLevelSecurity


class Migration(migrations.Migration):
    """Row-level security from the models' declarations, and keys bound to the tenant."""

    dependencies = [
        ("staff", "0004_tenant_required"),
    ]

    operations = [
        TenantRowLevelSecurity(model_name="staffprofile", tenant_path="tenant"),
        TenantRowLevelSecurity(model_name="shift", tenant_path="staff_profile__tenant"),
        TenantRowLevelSecurity(model_name="leaverequest", tenant_path="staff_profile__tenant"),
        TenantRowLevelSecurity(model_name="trainingrecord", tenant_path="staff_profile__tenant"),
        TenantRowLevelSecurity(model_name="workinghours", tenant_path="staff_profile__tenant"),
        TenantRowLevelSecurity(model_name="timesheetentry", tenant_path="staff_profile__tenant"),
        TenantRowLevelSecurity(model_name="absencerecord", tenant_path="staff_profile__tenant"),
    ]
