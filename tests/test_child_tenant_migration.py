"""Child tables get a ``tenant_id`` of their own (``core.tenancy.CarryTenant``), on tables
that already hold rows: every row keeps its data and takes its parent's tenant, the
database then holds the two equal, and on PostgreSQL the policy is one comparison.

Stepped through with django-test-migrations' ``migrator``: staff (a child one hop from
its root) and comms (a child of a child) before the migration, rows in two businesses,
then the migration, then back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from tests.rls import needs_postgresql

BEFORE = [("staff", "0006_staffprofile_tenant_key"), ("comms", "0005_row_level_security")]
AFTER = [("staff", "0007_children_carry_tenant"), ("comms", "0006_children_carry_tenant")]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHILDREN = {"staff_shift": "staff_profile_id", "comms_message": "channel_id", "comms_messageattachment": "message_id"}


def _build(apps) -> dict[str, int]:
    """Two businesses, each with a profile and its shifts, a channel, messages and an
    attachment; the children as they were, with no tenant of their own."""
    Tenant = apps.get_model("core", "TenantSettings")
    User = apps.get_model("accounts", "User")
    Profile = apps.get_model("staff", "StaffProfile")
    Shift = apps.get_model("staff", "Shift")
    Channel = apps.get_model("comms", "Channel")
    Message = apps.get_model("comms", "Message")
    Attachment = apps.get_model("comms", "MessageAttachment")
    tenants = {}
    for slug in ("child-a", "child-b"):
        tenant = Tenant.objects.create(slug=slug, name=slug.title())
        tenants[slug] = tenant.pk
        user = User.objects.create(username=f"{slug}-owner", tenant=tenant, role="owner")
        profile = Profile.objects.create(tenant=tenant, user=user)
        for day in range(3):
            starts = START + timedelta(days=day)
            Shift.objects.create(staff_profile=profile, starts_at=starts, ends_at=starts + timedelta(hours=8))
        channel = Channel.objects.create(tenant=tenant, name="general")
        for number in range(2):
            message = Message.objects.create(channel=channel, author=user, body=f"{slug} {number}")
        Attachment.objects.create(message=message, file=f"tenants/{slug}/x.txt", original_name="x.txt", size=1)
    return tenants


def _rows(table: str) -> list[tuple]:
    """Every row of ``table`` without its tenant, in id order."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY id')
        names = [column[0] for column in cursor.description]
        return [tuple(v for name, v in zip(names, row, strict=True) if name != "tenant_id") for row in cursor]


def _mismatches(table: str, parent_column: str, parent_table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*) FROM "{table}" c JOIN "{parent_table}" p ON p.id = c."{parent_column}" '
            "WHERE c.tenant_id IS DISTINCT FROM p.tenant_id"
        )
        return cursor.fetchone()[0]


PARENTS = {
    "staff_shift": "staff_staffprofile",
    "comms_message": "comms_channel",
    "comms_messageattachment": "comms_message",
}


@pytest.fixture
def migrated(migrator):
    migrator.apply_initial_migration(BEFORE)
    apps = migrator.apply_tested_migration(BEFORE).apps
    _build(apps)
    before = {table: _rows(table) for table in CHILDREN}
    migrator.apply_tested_migration(AFTER)
    return migrator, before


def test_every_child_row_keeps_its_data_and_takes_its_parents_tenant(migrated):
    _migrator, before = migrated
    for table, parent_column in CHILDREN.items():
        assert _rows(table) == before[table], table
        assert len(before[table]) > 0
        assert _mismatches(table, parent_column, PARENTS[table]) == 0, table
        with connection.cursor() as cursor:
            columns = {c.name: c for c in connection.introspection.get_table_description(cursor, table)}
        assert columns["tenant_id"].null_ok is False, table


def test_the_migration_goes_back_and_loses_nothing(migrated):
    migrator, before = migrated
    migrator.apply_tested_migration(BEFORE)
    for table in CHILDREN:
        with connection.cursor() as cursor:
            columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
        assert "tenant_id" not in columns, table
        assert _rows(table) == before[table], table


@needs_postgresql
def test_the_policy_is_one_comparison_and_the_database_holds_the_tenant_to_the_parents(migrated):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, qual FROM pg_policies WHERE tablename = ANY(%s)", [list(CHILDREN)])
        policies = dict(cursor.fetchall())
    assert set(policies) == set(CHILDREN)
    for table, qual in policies.items():
        assert "EXISTS" not in qual and qual.startswith("(tenant_id = "), (table, qual)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, tenant_id FROM staff_staffprofile ORDER BY id")
        (profile_a, tenant_a), (profile_b, tenant_b) = cursor.fetchall()
        # Written without a tenant, as a writer that knows nothing of the column: the trigger fills it.
        cursor.execute(
            "INSERT INTO staff_shift (staff_profile_id, starts_at, ends_at, role, location, notes, created_at) "
            "VALUES (%s, now(), now() + interval '1 hour', '', '', '', now()) RETURNING tenant_id",
            [profile_b],
        )
        assert cursor.fetchone()[0] == tenant_b
        # Another business's tenant, or another business's parent: the composite key refuses both.
        for assignment, value in (("tenant_id", tenant_a), ("staff_profile_id", profile_a)):
            with pytest.raises(Exception, match="violates foreign key constraint"), transaction.atomic():
                cursor.execute(
                    f"UPDATE staff_shift SET {assignment} = %s WHERE staff_profile_id = %s", [value, profile_b]
                )
