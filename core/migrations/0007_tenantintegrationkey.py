import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.tenancy import TenantRowLevelSecurity


class Migration(migrations.Migration):
    """Tenants' own API keys (encrypted), with their row-level security."""

    dependencies = [
        ("core", "0006_row_level_security"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TenantIntegrationKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "provider",
                    models.CharField(
                        choices=[("elevenlabs", "ElevenLabs"), ("smartflo", "Smartflo"), ("openai", "OpenAI")],
                        max_length=20,
                    ),
                ),
                ("encrypted_key", models.TextField()),
                ("last_four", models.CharField(blank=True, max_length=4)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.tenantsettings",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["provider"],
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "provider"), name="core_integrationkey_tenant_provider")
                ],
            },
        ),
        TenantRowLevelSecurity(model_name="tenantintegrationkey", tenant_path="tenant"),
    ]
