# The core app as it was before tenancy: business settings and the activity log.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name='TenantSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(max_length=63, unique=True)),
                ('name', models.CharField(max_length=200)),
                ('custom_domain', models.CharField(blank=True, max_length=253, null=True, unique=True)),
                ('tagline', models.CharField(blank=True, max_length=300)),
                ('primary_colour', models.CharField(default='#1f2937', max_length=7, validators=[django.core.validators.RegexValidator('^#[0-9a-fA-F]{6}$', 'Use a colour like #1a2b3c.')])),
                ('secondary_colour', models.CharField(default='#f59e0b', max_length=7, validators=[django.core.validators.RegexValidator('^#[0-9a-fA-F]{6}$', 'Use a colour like #1a2b3c.')])),
                ('logo_url', models.URLField(blank=True)),
                ('timezone', models.CharField(default='Europe/London', max_length=64)),
                ('opening_hour', models.PositiveSmallIntegerField(default=9)),
                ('closing_hour', models.PositiveSmallIntegerField(default=17)),
                ('is_demo', models.BooleanField(default=False)),
                ('is_active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'tenant',
                'verbose_name_plural': 'tenants',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='BusinessEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('booking.created', 'Booking made'), ('booking.cancelled', 'Booking cancelled'), ('booking.requested', 'Booking requested online'), ('client.created', 'Client added'), ('credit.consumed', 'Class credit used')], max_length=50)),
                ('summary', models.CharField(max_length=300)),
                ('object_type', models.CharField(blank=True, max_length=50)),
                ('object_id', models.CharField(blank=True, max_length=50)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('performed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
    ]
