from django.db import migrations

from core.tenancy import CarryTenant


class Migration(migrations.Migration):
    """Every row of staff tables carries its tenant, added online (``CarryTenant``)."""

    atomic = False

    dependencies = [
        ("staff", "0006_staffprofile_tenant_key"),
        ("core", "0016_governance"),
    ]

    operations = [
        CarryTenant(model_name="shift", tenant_path="staff_profile__tenant"),
        CarryTenant(model_name="leaverequest", tenant_path="staff_profile__tenant"),
        CarryTenant(model_name="trainingrecord", tenant_path="staff_profile__tenant"),
        CarryTenant(model_name="workinghours", tenant_path="staff_profile__tenant"),
        CarryTenant(model_name="timesheetentry", tenant_path="staff_profile__tenant"),
        CarryTenant(model_name="absencerecord", tenant_path="staff_profile__tenant"),
    ]
