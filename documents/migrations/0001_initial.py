# The documents app as it was before tenancy.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.tenancy


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='DocumentTag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=60)),
                ('colour', models.CharField(default='#6b7280', max_length=7, validators=[django.core.validators.RegexValidator('^#[0-9a-fA-F]{6}$', 'Use a colour like #1a2b3c.')])),
            ],
            options={
                'ordering': ['name', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Document',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('description', models.TextField(blank=True)),
                ('file', models.FileField(max_length=255, upload_to=core.tenancy.tenant_upload_to)),
                ('original_name', models.CharField(blank=True, max_length=255)),
                ('size', models.PositiveBigIntegerField(default=0, help_text='Bytes.')),
                ('content_type', models.CharField(blank=True, max_length=100)),
                ('category', models.CharField(choices=[('policy', 'Policy'), ('contract', 'Contract'), ('certificate', 'Certificate'), ('menu', 'Menu'), ('form', 'Form'), ('other', 'Other')], default='other', max_length=16)),
                ('expires_on', models.DateField(blank=True, help_text='When a certificate or contract runs out.', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tags', models.ManyToManyField(blank=True, related_name='documents', to='documents.documenttag')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
    ]
