import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

from core.tenancy import AddTenantBoundKey, TenantRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0006_booking_index_matches_list_order"),
        ("core", "0008_tenantsettings_cache_generation"),
        ("staff", "0006_staffprofile_tenant_key"),
    ]

    operations = [
        migrations.CreateModel(
            name="OpeningHours",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "Monday"),
                            (1, "Tuesday"),
                            (2, "Wednesday"),
                            (3, "Thursday"),
                            (4, "Friday"),
                            (5, "Saturday"),
                            (6, "Sunday"),
                        ],
                        validators=[django.core.validators.MaxValueValidator(6)],
                    ),
                ),
                ("opens", models.TimeField()),
                ("closes", models.TimeField()),
            ],
            options={
                "verbose_name_plural": "opening hours",
                "ordering": ["weekday", "id"],
            },
        ),
        migrations.AddField(
            model_name="staff",
            name="staff_profile",
            field=models.ForeignKey(
                blank=True,
                help_text="The employee whose shifts, usual hours and leave decide when they can be booked.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="bookable_staff",
                to="staff.staffprofile",
            ),
        ),
        migrations.AddConstraint(
            model_name="staff",
            constraint=models.UniqueConstraint(
                condition=models.Q(("staff_profile__isnull", False)),
                fields=("tenant", "staff_profile"),
                name="bookings_staff_unique_profile",
            ),
        ),
        migrations.AddField(
            model_name="openinghours",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AddConstraint(
            model_name="openinghours",
            constraint=models.UniqueConstraint(fields=("tenant", "weekday"), name="bookings_opening_unique_weekday"),
        ),
        migrations.AddConstraint(
            model_name="openinghours",
            constraint=models.CheckConstraint(
                condition=models.Q(("closes__gt", models.F("opens"))), name="bookings_opening_closes_after"
            ),
        ),
        TenantRowLevelSecurity(model_name="openinghours", tenant_path="tenant"),
        AddTenantBoundKey(model_name="staff", name="staff_profile"),
    ]
