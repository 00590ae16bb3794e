# Tenancy, step 3: only platform operators may have no tenant.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_backfill_user_tenant")]

    operations = [
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["tenant", "username"], name="accounts_user_tenant_name"),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("tenant__isnull", False), ("is_superuser", True), _connector="OR"),
                name="accounts_user_tenant_or_operator",
            ),
        ),
    ]
