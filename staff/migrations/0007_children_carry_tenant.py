from django.db import migrations

from core.tenancy import CarryTenant


class Migration(migrations.Migration):
    """Every row of staff tables carries its tenant: each child gets a ``tenant_id`` of its own,
    copied from its parent and bound to it by ``(tenant_id, parent_id)``, added online
    (not atomic: each batch of the copy commits on its own, indexes are built
    concurrently), and its policy becomes one comparison."""

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
