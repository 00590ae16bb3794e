# Tenancy, step 3: the tenant is required; tag names are unique per tenant and the
# document lists are indexed per tenant.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_backfill_tenant")]

    operations = [
        migrations.AlterField(
            model_name="documenttag",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AlterField(
            model_name="document",
            name="tenant",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.tenantsettings"
            ),
        ),
        migrations.AddConstraint(
            model_name="documenttag",
            constraint=models.UniqueConstraint(fields=("tenant", "name"), name="documents_tag_unique_name"),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["tenant", "created_at"], name="documents_doc_tenant_created"),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["tenant", "category"], name="documents_doc_tenant_category"),
        ),
    ]
