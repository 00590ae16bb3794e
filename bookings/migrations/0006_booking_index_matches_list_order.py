from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0005_row_level_security"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="booking",
            name="bookings_booking_tenant_start",
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["tenant", "starts_at", "id"], name="bookings_booking_tenant_start"),
        ),
    ]
