# Tenancy, step 1: the root models of compliance get a nullable tenant.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="compliancecategory",
            name="tenant",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.tenantsettings",
            ),
        ),
        migrations.AddField(
            model_name="complianceitem",
            name="tenant",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.tenantsettings",
            ),
        ),
        migrations.AddField(
            model_name="incidentreport",
            name="tenant",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.tenantsettings",
            ),
        ),
        migrations.AddField(
            model_name="riskassessment",
            name="tenant",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.tenantsettings",
            ),
        ),
        migrations.AddField(
            model_name="equipment",
            name="tenant",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.tenantsettings",
            ),
        ),
        migrations.AddField(
            model_name="accidentreport",
            name="tenant",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.tenantsettings",
            ),
        ),
        migrations.AddField(
            model_name="ramsdocument",
            name="tenant",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.tenantsettings",
            ),
        ),
        migrations.AddField(
            model_name="peaceofmindscore",
            name="tenant",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.tenantsettings",
            ),
        ),
    ]
