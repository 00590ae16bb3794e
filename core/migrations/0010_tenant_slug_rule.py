# A slug is a DNS label in one spelling (lower case, [a-z0-9-], no hyphen first or
# last). Validation only: existing slugs are left as they are, and a business saved with
# its old slug still saves (TenantSettings.save checks new and changed slugs).

from django.db import migrations, models

import core.tenancy


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_tenantsettings_timezone_validated"),
    ]

    operations = [
        migrations.AlterField(
            model_name="tenantsettings",
            name="slug",
            field=models.SlugField(
                help_text="Lower-case letters, digits and hyphens: the business's subdomain and X-Tenant-Slug.",
                max_length=63,
                unique=True,
                validators=[core.tenancy.validate_tenant_slug],
            ),
        ),
    ]
