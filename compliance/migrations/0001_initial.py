# The compliance app as it was before tenancy.

import core.tenancy
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='ComplianceCategory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120)),
                ('description', models.TextField(blank=True)),
                ('weight', models.PositiveSmallIntegerField(default=5, help_text="1 (minor) to 10 (critical): how much the category's items count in the score.", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(10)])),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name_plural': 'compliance categories',
                'ordering': ['name', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ComplianceItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('description', models.TextField(blank=True)),
                ('frequency', models.CharField(choices=[('once', 'Once'), ('monthly', 'Monthly'), ('quarterly', 'Quarterly'), ('annually', 'Annually')], default='annually', max_length=16)),
                ('due_date', models.DateField()),
                ('last_completed_on', models.DateField(blank=True, null=True)),
                ('status', models.CharField(choices=[('compliant', 'Compliant'), ('due_soon', 'Due soon'), ('overdue', 'Overdue'), ('not_applicable', 'Not applicable')], default='compliant', help_text="Derived from the dates on every save; only 'not applicable' is kept as set.", max_length=16)),
                ('evidence_note', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='items', to='compliance.compliancecategory')),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['due_date', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Equipment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120)),
                ('serial_number', models.CharField(blank=True, max_length=80)),
                ('location', models.CharField(blank=True, max_length=120)),
                ('inspection_interval_days', models.PositiveIntegerField(default=365, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(3650)])),
                ('last_inspected_on', models.DateField(blank=True, null=True)),
                ('next_inspection_due', models.DateField(blank=True, help_text='Follows the last inspection; today when the equipment was never inspected.')),
                ('is_active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name_plural': 'equipment',
                'ordering': ['name', 'id'],
            },
        ),
        migrations.CreateModel(
            name='EquipmentInspection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('inspected_on', models.DateField()),
                ('passed', models.BooleanField(default=True)),
                ('notes', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('equipment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inspections', to='compliance.equipment')),
                ('inspector', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-inspected_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='IncidentReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('description', models.TextField()),
                ('occurred_at', models.DateTimeField()),
                ('location', models.CharField(blank=True, max_length=200)),
                ('severity', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High'), ('critical', 'Critical')], default='medium', max_length=16)),
                ('status', models.CharField(choices=[('open', 'Open'), ('investigating', 'Investigating'), ('resolved', 'Resolved'), ('closed', 'Closed')], default='open', max_length=16)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('reported_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-occurred_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='IncidentPhoto',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('image', models.FileField(max_length=255, upload_to=core.tenancy.tenant_upload_to)),
                ('caption', models.CharField(blank=True, max_length=200)),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('incident', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='compliance.incidentreport')),
            ],
            options={
                'ordering': ['-uploaded_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='PeaceOfMindScore',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('score', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(100)])),
                ('compliant_items', models.PositiveIntegerField(default=0, help_text='Applicable items in date.')),
                ('total_items', models.PositiveIntegerField(default=0, help_text="Items that are not 'not applicable'.")),
                ('overdue_items', models.PositiveIntegerField(default=0)),
                ('open_critical_incidents', models.PositiveIntegerField(default=0)),
                ('computed_at', models.DateTimeField()),
            ],
            options={
                'verbose_name': 'peace of mind score',
            },
        ),
        migrations.CreateModel(
            name='RAMSDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('activity', models.CharField(max_length=200)),
                ('file', models.FileField(blank=True, max_length=255, upload_to=core.tenancy.tenant_upload_to)),
                ('version', models.CharField(default='1.0', max_length=20)),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('approved', 'Approved'), ('superseded', 'Superseded')], default='draft', max_length=16)),
                ('approved_on', models.DateField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'RAMS document',
                'ordering': ['title', '-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='RiskAssessment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('area', models.CharField(max_length=120)),
                ('assessed_on', models.DateField()),
                ('review_due', models.DateField()),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('active', 'Active'), ('archived', 'Archived')], default='draft', max_length=16)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('assessor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['review_due', 'id'],
            },
        ),
        migrations.CreateModel(
            name='HazardFinding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hazard', models.CharField(max_length=200)),
                ('who_at_risk', models.CharField(max_length=200)),
                ('likelihood', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)])),
                ('severity', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)])),
                ('risk_score', models.PositiveSmallIntegerField(editable=False, help_text='Likelihood x severity (1-25).')),
                ('controls', models.TextField(blank=True)),
                ('action_due', models.DateField(blank=True, null=True)),
                ('resolved', models.BooleanField(default=False)),
                ('action_owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='findings', to='compliance.riskassessment')),
            ],
            options={
                'ordering': ['-risk_score', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ScoreAuditLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('previous_score', models.PositiveSmallIntegerField(blank=True, help_text='Empty for the first score.', null=True)),
                ('new_score', models.PositiveSmallIntegerField()),
                ('reason', models.CharField(max_length=200)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('score', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='audit_log', to='compliance.peaceofmindscore')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='SignOff',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role_at_signing', models.CharField(max_length=16)),
                ('comment', models.TextField(blank=True)),
                ('signed_at', models.DateTimeField(auto_now_add=True)),
                ('incident', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sign_offs', to='compliance.incidentreport')),
                ('signed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-signed_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='AccidentReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('person_involved', models.CharField(max_length=120)),
                ('occurred_at', models.DateTimeField()),
                ('location', models.CharField(max_length=200)),
                ('description', models.TextField()),
                ('injury', models.CharField(blank=True, max_length=200)),
                ('first_aid_given', models.BooleanField(default=False)),
                ('hospital_visit', models.BooleanField(default=False)),
                ('riddor_reportable', models.BooleanField(default=False, help_text='Must be reported to the HSE under RIDDOR.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('reported_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-occurred_at', '-id'],
            },
        ),
        migrations.AddConstraint(
            model_name='compliancecategory',
            constraint=models.CheckConstraint(condition=models.Q(('weight__gte', 1), ('weight__lte', 10)), name='compliance_category_weight'),
        ),
        migrations.AddIndex(
            model_name='complianceitem',
            index=models.Index(fields=['category', 'due_date'], name='compliance_item_category_due'),
        ),
        migrations.AddIndex(
            model_name='equipmentinspection',
            index=models.Index(fields=['equipment', 'inspected_on'], name='compliance_inspection_equip'),
        ),
        migrations.AddIndex(
            model_name='incidentphoto',
            index=models.Index(fields=['incident', 'uploaded_at'], name='compliance_photo_incident'),
        ),
        migrations.AddConstraint(
            model_name='peaceofmindscore',
            constraint=models.CheckConstraint(condition=models.Q(('score__lte', 100)), name='compliance_score_max_100'),
        ),
        migrations.AddConstraint(
            model_name='riskassessment',
            constraint=models.CheckConstraint(condition=models.Q(('review_due__gte', models.F('assessed_on'))), name='compliance_risk_review_after'),
        ),
        migrations.AddIndex(
            model_name='hazardfinding',
            index=models.Index(fields=['assessment', 'risk_score'], name='compliance_hazard_assessment'),
        ),
        migrations.AddConstraint(
            model_name='hazardfinding',
            constraint=models.CheckConstraint(condition=models.Q(('likelihood__gte', 1), ('likelihood__lte', 5), ('severity__gte', 1), ('severity__lte', 5)), name='compliance_hazard_scales'),
        ),
        migrations.AddIndex(
            model_name='scoreauditlog',
            index=models.Index(fields=['score', 'created_at'], name='compliance_audit_score_at'),
        ),
        migrations.AddIndex(
            model_name='signoff',
            index=models.Index(fields=['incident', 'signed_at'], name='compliance_signoff_incident'),
        ),
    ]
