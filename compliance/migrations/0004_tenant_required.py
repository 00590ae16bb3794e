# Tenancy, step 3: the tenant is required; uniqueness and list indexes are per tenant.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("compliance", "0003_backfill_tenant")]

    operations = [
        migrations.AlterField(
            model_name="compliancecategory",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AlterField(
            model_name="complianceitem",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AlterField(
            model_name="incidentreport",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AlterField(
            model_name="riskassessment",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AlterField(
            model_name="equipment",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AlterField(
            model_name="accidentreport",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AlterField(
            model_name="ramsdocument",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AlterField(
            model_name="peaceofmindscore",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AddConstraint(
            model_name="compliancecategory",
            constraint=models.UniqueConstraint(fields=("tenant", "name"), name="compliance_category_unique_name"),
        ),
        migrations.AddIndex(
            model_name="complianceitem",
            index=models.Index(fields=["tenant", "due_date"], name="compliance_item_tenant_due"),
        ),
        migrations.AddIndex(
            model_name="complianceitem",
            index=models.Index(fields=["tenant", "status", "due_date"], name="compliance_item_tenant_state"),
        ),
        migrations.AddIndex(
            model_name="equipment",
            index=models.Index(fields=["tenant", "is_active", "next_inspection_due"], name="compliance_equipment_due"),
        ),
        migrations.AddIndex(
            model_name="equipment",
            index=models.Index(fields=["tenant", "name"], name="compliance_equipment_name"),
        ),
        migrations.AddConstraint(
            model_name="equipment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("serial_number", ""), _negated=True),
                fields=("tenant", "serial_number"),
                name="compliance_equipment_serial",
            ),
        ),
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(fields=["tenant", "occurred_at"], name="compliance_incident_tenant_at"),
        ),
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(fields=["tenant", "status", "severity"], name="compliance_incident_state"),
        ),
        migrations.AddConstraint(
            model_name="peaceofmindscore",
            constraint=models.UniqueConstraint(fields=("tenant",), name="compliance_score_one_per_tenant"),
        ),
        migrations.AddIndex(
            model_name="ramsdocument",
            index=models.Index(fields=["tenant", "status", "title"], name="compliance_rams_tenant_status"),
        ),
        migrations.AddConstraint(
            model_name="ramsdocument",
            constraint=models.UniqueConstraint(
                fields=("tenant", "title", "version"), name="compliance_rams_unique_version"
            ),
        ),
        migrations.AddIndex(
            model_name="riskassessment",
            index=models.Index(fields=["tenant", "review_due"], name="compliance_risk_tenant_review"),
        ),
        migrations.AddIndex(
            model_name="riskassessment",
            index=models.Index(fields=["tenant", "status"], name="compliance_risk_tenant_status"),
        ),
        migrations.AddIndex(
            model_name="accidentreport",
            index=models.Index(fields=["tenant", "occurred_at"], name="compliance_accident_tenant_at"),
        ),
        migrations.AddIndex(
            model_name="accidentreport",
            index=models.Index(fields=["tenant", "riddor_reportable"], name="compliance_accident_riddor"),
        ),
    ]
