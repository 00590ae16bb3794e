import django.db.models.deletion
from django.db import migrations, models

from core.tenancy import TenantRowLevelSecurity


class Migration(migrations.Migration):
    """Each business's reply-to address, and the e-mails it sent once per event, with their
    row-level security."""

    dependencies = [
        ("core", "0011_policies_without_bypass"),
    ]

    operations = [
        migrations.AddField(
            model_name="tenantsettings",
            name="reply_to_email",
            field=models.EmailField(blank=True, max_length=254),
        ),
        migrations.CreateModel(
            name="SentEmail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=200)),
                ("recipient", models.CharField(max_length=1000)),
                ("subject", models.CharField(max_length=300)),
                ("claimed_at", models.DateTimeField(auto_now_add=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
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
                "ordering": ["-claimed_at", "-id"],
                "constraints": [models.UniqueConstraint(fields=("tenant", "key"), name="core_sentemail_tenant_key")],
            },
        ),
        TenantRowLevelSecurity(model_name="sentemail", tenant_path="tenant"),
    ]
