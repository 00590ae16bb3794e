# The staff app as it was before tenancy.

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='StaffProfile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('job_title', models.CharField(blank=True, max_length=120)),
                ('phone', models.CharField(blank=True, max_length=32)),
                ('employment_type', models.CharField(choices=[('full_time', 'Full time'), ('part_time', 'Part time'), ('casual', 'Casual')], default='full_time', max_length=16)),
                ('start_date', models.DateField(default=django.utils.timezone.localdate)),
                ('hourly_rate', models.DecimalField(blank=True, decimal_places=2, max_digits=8, null=True, validators=[django.core.validators.MinValueValidator(0)])),
                ('is_active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='staff_profile', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['user__first_name', 'user__last_name', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Shift',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField()),
                ('role', models.CharField(blank=True, help_text="What they do on this shift, e.g. 'Front of house'.", max_length=80)),
                ('location', models.CharField(blank=True, max_length=120)),
                ('notes', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('staff_profile', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shifts', to='staff.staffprofile')),
            ],
            options={
                'ordering': ['starts_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='LeaveRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('type', models.CharField(choices=[('annual', 'Annual leave'), ('sick', 'Sick leave'), ('unpaid', 'Unpaid leave'), ('other', 'Other')], default='annual', max_length=16)),
                ('start_date', models.DateField()),
                ('end_date', models.DateField()),
                ('reason', models.TextField(blank=True)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('cancelled', 'Cancelled')], default='pending', max_length=16)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_note', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('staff_profile', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='leave_requests', to='staff.staffprofile')),
            ],
            options={
                'ordering': ['-start_date', '-id'],
            },
        ),
        migrations.CreateModel(
            name='AbsenceRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField()),
                ('reason', models.CharField(choices=[('sick', 'Sick'), ('no_show', 'No-show'), ('late', 'Late'), ('other', 'Other')], max_length=16)),
                ('notes', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('staff_profile', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='absences', to='staff.staffprofile')),
            ],
            options={
                'ordering': ['-date', '-id'],
            },
        ),
        migrations.CreateModel(
            name='TimesheetEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('clock_in', models.DateTimeField()),
                ('clock_out', models.DateTimeField(blank=True, null=True)),
                ('break_minutes', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(720)])),
                ('note', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('staff_profile', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='timesheet_entries', to='staff.staffprofile')),
            ],
            options={
                'verbose_name_plural': 'timesheet entries',
                'ordering': ['-clock_in', '-id'],
            },
        ),
        migrations.CreateModel(
            name='TrainingRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('provider', models.CharField(blank=True, max_length=200)),
                ('completed_on', models.DateField()),
                ('expires_on', models.DateField(blank=True, null=True)),
                ('certificate_reference', models.CharField(blank=True, max_length=120)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('staff_profile', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='training_records', to='staff.staffprofile')),
            ],
            options={
                'ordering': ['expires_on', 'title', 'id'],
            },
        ),
        migrations.CreateModel(
            name='WorkingHours',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], validators=[django.core.validators.MaxValueValidator(6)])),
                ('starts_at', models.TimeField()),
                ('ends_at', models.TimeField()),
                ('staff_profile', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='working_hours', to='staff.staffprofile')),
            ],
            options={
                'verbose_name_plural': 'working hours',
                'ordering': ['weekday', 'starts_at', 'id'],
            },
        ),
        migrations.AddIndex(
            model_name='shift',
            index=models.Index(fields=['staff_profile', 'starts_at'], name='staff_shift_profile_start'),
        ),
        migrations.AddIndex(
            model_name='shift',
            index=models.Index(fields=['starts_at'], name='staff_shift_start'),
        ),
        migrations.AddConstraint(
            model_name='shift',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='staff_shift_ends_after_start'),
        ),
        migrations.AddIndex(
            model_name='leaverequest',
            index=models.Index(fields=['staff_profile', 'start_date'], name='staff_leave_profile_start'),
        ),
        migrations.AddIndex(
            model_name='leaverequest',
            index=models.Index(fields=['status', 'start_date'], name='staff_leave_status_start'),
        ),
        migrations.AddConstraint(
            model_name='leaverequest',
            constraint=models.CheckConstraint(condition=models.Q(('end_date__gte', models.F('start_date'))), name='staff_leave_ends_after_start'),
        ),
        migrations.AddIndex(
            model_name='absencerecord',
            index=models.Index(fields=['staff_profile', 'date'], name='staff_absence_profile_date'),
        ),
        migrations.AddIndex(
            model_name='absencerecord',
            index=models.Index(fields=['date'], name='staff_absence_date'),
        ),
        migrations.AddIndex(
            model_name='timesheetentry',
            index=models.Index(fields=['staff_profile', 'clock_in'], name='staff_timesheet_profile_in'),
        ),
        migrations.AddIndex(
            model_name='timesheetentry',
            index=models.Index(fields=['clock_in'], name='staff_timesheet_in'),
        ),
        migrations.AddConstraint(
            model_name='timesheetentry',
            constraint=models.CheckConstraint(condition=models.Q(('clock_out__isnull', True), ('clock_out__gt', models.F('clock_in')), _connector='OR'), name='staff_timesheet_out_after_in'),
        ),
        migrations.AddConstraint(
            model_name='timesheetentry',
            constraint=models.UniqueConstraint(condition=models.Q(('clock_out__isnull', True)), fields=('staff_profile',), name='staff_timesheet_one_open'),
        ),
        migrations.AddIndex(
            model_name='trainingrecord',
            index=models.Index(fields=['staff_profile', 'expires_on'], name='staff_training_profile_expiry'),
        ),
        migrations.AddIndex(
            model_name='trainingrecord',
            index=models.Index(fields=['expires_on'], name='staff_training_expiry'),
        ),
        migrations.AddConstraint(
            model_name='trainingrecord',
            constraint=models.CheckConstraint(condition=models.Q(('expires_on__isnull', True), ('expires_on__gte', models.F('completed_on')), _connector='OR'), name='staff_training_expires_after'),
        ),
        migrations.AddConstraint(
            model_name='workinghours',
            constraint=models.UniqueConstraint(fields=('staff_profile', 'weekday'), name='staff_hours_unique_weekday'),
        ),
        migrations.AddConstraint(
            model_name='workinghours',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='staff_hours_ends_after_start'),
        ),
    ]
