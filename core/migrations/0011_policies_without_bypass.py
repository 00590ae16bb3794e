from django.db import migrations

from core.tenancy import TenantPolicies


class Migration(migrations.Migration):
    """Every tenant table's policy written again: it shows the one tenant whose id comes
    with a proof for the running transaction, and nothing else. The settings that showed
    every tenant (app.tenant_bypass = 'on') or every user (= 'auth') no longer exist;
    work across tenants runs as the platform role (DATABASE_PLATFORM_URL, BYPASSRLS)."""

    dependencies = [
        ("core", "0010_tenant_slug_rule"),
        ("accounts", "0005_row_level_security"),
        ("analytics", "0005_row_level_security"),
        ("bookings", "0005_row_level_security"),
        ("comms", "0005_row_level_security"),
        ("compliance", "0005_row_level_security"),
        ("crm", "0005_row_level_security"),
        ("documents", "0005_row_level_security"),
        ("payments", "0005_row_level_security"),
        ("staff", "0005_row_level_security"),
    ]

    operations = [TenantPolicies()]
