import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.tenancy import TenantRowLevelSecurity, tenant_upload_to


class Migration(migrations.Migration):
    """The archives owners ask for (core.lifecycle.jobs), with their row-level security."""

    dependencies = [
        ("core", "0013_platformauditrecord"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TenantExport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("running", "Running"),
                            ("ready", "Ready"),
                            ("failed", "Failed"),
                            ("expired", "Expired"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("archive", models.FileField(blank=True, max_length=255, upload_to=tenant_upload_to)),
                ("size", models.PositiveBigIntegerField(blank=True, help_text="Bytes of the archive.", null=True)),
                (
                    "rows",
                    models.PositiveBigIntegerField(blank=True, help_text="Rows in the archive's tables.", null=True),
                ),
                ("error", models.CharField(blank=True, max_length=300)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("expires_at", models.DateTimeField(blank=True, null=True)),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.tenantsettings",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["tenant", "created_at"], name="core_export_tenant_created")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status__in", ["pending", "running"])),
                        fields=("tenant",),
                        name="core_export_one_active",
                    )
                ],
            },
        ),
        TenantRowLevelSecurity(model_name="tenantexport", tenant_path="tenant"),
    ]
