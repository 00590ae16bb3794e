# Tenancy, step 2: a customer follows the booking client they pay for (else the bookings
# their sessions paid for); a session follows its customer, so customers are backfilled
# first; what is left joins the default tenant. Customers sharing an email within a tenant
# and idempotency keys reused within a tenant are resolved without losing data, and
# sessions related across two tenants stop the migration.

from django.db import migrations
from django.db.models import F

from core.retrofit import FIX, BackfillError, assert_same_tenant, backfill_tenant, deduplicate, numbered


def clear_shared_email(customer, original, n):
    customer.email = ""


def renumber_idempotency_key(session, original, n):
    session.idempotency_key = numbered(session, "idempotency_key", n)


def forwards(apps, schema_editor):
    # Order matters: sessions take the tenant of their customer.
    backfill_tenant(apps, "payments", "Customer", via=["client__tenant", "sessions__booking__tenant"])
    backfill_tenant(apps, "payments", "PaymentSession", via=["customer__tenant"])

    deduplicate(
        apps, "payments", "Customer", fields=("tenant", "email"), exclude={"email": ""}, resolve=clear_shared_email
    )
    deduplicate(
        apps, "payments", "PaymentSession", fields=("tenant", "idempotency_key"), resolve=renumber_idempotency_key
    )

    assert_same_tenant(apps, "payments", "Customer", relations=["client"])
    assert_same_tenant(apps, "payments", "PaymentSession", relations=["customer", "booking"])
    Session = apps.get_model("payments", "PaymentSession")
    foreign_packages = list(
        Session._base_manager.filter(class_package__isnull=False)
        .exclude(class_package__service__tenant_id=F("tenant_id"))
        .order_by("pk")
        .values_list("pk", flat=True)[:10]
    )
    if foreign_packages:
        raise BackfillError(
            f"The tenancy retrofit of payments.PaymentSession is inconsistent: sessions {foreign_packages} pay "
            f"for another tenant's class package. {FIX}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_tenant"),
        ("accounts", "0003_backfill_user_tenant"),
        ("bookings", "0003_backfill_tenant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
