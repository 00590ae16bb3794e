# The analytics app as it was before tenancy.

import django.core.validators
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name='Recommendation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('fill_quiet_slots', 'Fill quiet slots'), ('reduce_no_shows', 'Reduce no-shows'), ('reduce_cancellations', 'Reduce cancellations'), ('win_back_clients', 'Win back clients'), ('promote_top_service', 'Promote the top service'), ('review_pricing', 'Review pricing')], max_length=32)),
                ('title', models.CharField(max_length=200)),
                ('body', models.TextField()),
                ('priority', models.PositiveSmallIntegerField(choices=[(1, 'High'), (2, 'Medium'), (3, 'Low')], default=2, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(3)])),
                ('metric', models.JSONField(blank=True, default=dict, help_text='The figures behind the recommendation.')),
                ('status', models.CharField(choices=[('new', 'New'), ('accepted', 'Accepted'), ('dismissed', 'Dismissed'), ('done', 'Done')], default='new', max_length=16)),
                ('generated_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('valid_until', models.DateField()),
            ],
            options={
                'ordering': ['priority', '-generated_at', 'id'],
            },
        ),
    ]
