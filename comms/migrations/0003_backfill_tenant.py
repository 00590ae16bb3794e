# Tenancy, step 2: a channel follows the user who created it, else its members, else the
# authors of its messages; what is left joins the default tenant. Channel names that
# become duplicates once they are unique per tenant are numbered, and a channel whose
# members or authors belong to another tenant stops the migration.

from django.db import migrations
from django.db.models import F

from core.retrofit import FIX, SHOWN, BackfillError, backfill_tenant, deduplicate, numbered


def number_duplicate_channel(channel, original, n):
    channel.name = numbered(channel, "name", n)


def assert_people_in_channel_tenant(apps) -> None:
    """Members and authors of a channel are users of the channel's tenant."""
    problems = []
    checks = (
        ("ChannelMember", "user", "members"),
        ("Message", "author", "message authors"),
    )
    for model_name, relation, described in checks:
        model = apps.get_model("comms", model_name)
        foreign = (
            model._base_manager.filter(**{f"{relation}__isnull": False})
            .exclude(**{f"{relation}__tenant_id": F("channel__tenant_id")})
            .order_by("channel_id")
            .values_list("channel_id", flat=True)
            .distinct()
        )
        channels = list(foreign[: SHOWN + 1])
        if channels:
            shown = ", ".join(str(pk) for pk in channels[:SHOWN]) + (" and more" if len(channels) > SHOWN else "")
            problems.append(f"channel(s) {shown} have {described} of another tenant than the channel")
    if problems:
        raise BackfillError(f"The tenancy retrofit of comms is inconsistent: {'; '.join(problems)}. {FIX}")


def forwards(apps, schema_editor):
    backfill_tenant(
        apps, "comms", "Channel", via=["created_by__tenant", "members__user__tenant", "messages__author__tenant"]
    )
    deduplicate(apps, "comms", "Channel", fields=("tenant", "name"), resolve=number_duplicate_channel)
    assert_people_in_channel_tenant(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("comms", "0002_tenant"),
        ("accounts", "0003_backfill_user_tenant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
