from django.db import migrations

from core.tenancy import AddTenantKey


class Migration(migrations.Migration):
    """bookings.Staff now refers to a staff profile: the profile's (tenant_id, id) becomes
    a key that reference can be bound to."""

    dependencies = [
        ("staff", "0005_row_level_security"),
    ]

    operations = [
        AddTenantKey(model_name="staffprofile"),
    ]
