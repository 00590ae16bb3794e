# Usernames become unique within a business (and among the platform operators, who have
# none) instead of platform-wide: a login names its business by host or X-Tenant-Slug.
#
# Stored usernames are kept exactly as they are. The "<slug>-" prefix that made them
# platform-wide no longer means anything, but every existing name is still unique in
# its business, so it keeps working, now with the business named at login
# (salon-x-owner with X-Tenant-Slug: salon-x). Nothing is renamed, so no one's login
# changes behind their back and the migration cannot fail on the data.

import django.contrib.auth.validators
from django.db import migrations, models

import accounts.models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_row_level_security"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("core", "0010_tenant_slug_rule"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", accounts.models.UserManager()),
            ],
        ),
        migrations.AlterField(
            model_name="user",
            name="username",
            field=models.CharField(
                help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only. "
                "Unique within the business.",
                max_length=150,
                validators=[django.contrib.auth.validators.UnicodeUsernameValidator()],
                verbose_name="username",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                fields=("tenant", "username"),
                name="accounts_user_tenant_username",
                violation_error_message="A user with that username already exists in this business.",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                condition=models.Q(("tenant__isnull", True)),
                fields=("username",),
                name="accounts_user_operator_username",
                violation_error_message="A platform operator with that username already exists.",
            ),
        ),
        # The unique (tenant, username) index serves the logins' lookups.
        migrations.RemoveIndex(
            model_name="user",
            name="accounts_user_tenant_name",
        ),
        migrations.AlterConstraint(
            model_name="user",
            name="accounts_user_tenant_or_operator",
            constraint=models.CheckConstraint(
                condition=models.Q(("tenant__isnull", False), ("is_superuser", True), _connector="OR"),
                name="accounts_user_tenant_or_operator",
                violation_error_message="Only platform operators (superusers) belong to no business.",
            ),
        ),
    ]
