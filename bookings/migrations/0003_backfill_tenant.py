# Tenancy, step 2: bookings follow their client (or who made them); clients, services and
# staff follow their bookings; the rest of the pre-tenancy catalogue belongs to the default
# tenant. Rows that become duplicates once uniqueness is per tenant are resolved without
# losing data, and rows related across two tenants stop the migration.

from django.db import migrations

from core.retrofit import assert_same_tenant, backfill_tenant, deduplicate, numbered


def rename_duplicate_service(service, original, n):
    service.name = numbered(service, "name", n)


def clear_shared_email(client, original, n):
    note = f"Email {client.email} was shared with client #{original.pk} before per-business accounts; cleared."
    client.notes = f"{client.notes.rstrip()}\n{note}" if client.notes.strip() else note
    client.email = ""


def forwards(apps, schema_editor):
    backfill_tenant(apps, "bookings", "Booking", via=["client__tenant", "created_by__tenant"])
    for model_name in ("Client", "Service", "Staff"):
        backfill_tenant(apps, "bookings", model_name, via=["bookings__tenant"])

    deduplicate(apps, "bookings", "Service", fields=("tenant", "name"), resolve=rename_duplicate_service)
    deduplicate(
        apps, "bookings", "Client", fields=("tenant", "email"), exclude={"email": ""}, resolve=clear_shared_email
    )

    assert_same_tenant(apps, "bookings", "Booking", relations=["client", "service", "staff"])


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0002_tenant"),
        ("accounts", "0003_backfill_user_tenant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
