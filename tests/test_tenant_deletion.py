"""``delete_tenant``, the admin's delete and the demo reset: a business goes whole or not
at all, with its files, and only when it is meant to; the export reads one snapshot."""

from __future__ import annotations

import io
import json
import tarfile
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from bookings.factories import ClientFactory
from core.demo import seed_demo_tenant
from core.factories import TenantFactory
from core.lifecycle.export import tenant_export
from core.models import PlatformAuditRecord, TenantSettings
from core.tenancy import tenant_context, tenant_file_fields, unscoped_all_tenants
from tests.isolation import build_world, snapshot
from tests.plugin import browser
from tests.rls import as_runtime_role, needs_postgresql


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def every_row_count(tenant) -> int:
    return sum(len(rows) for rows in snapshot(tenant).values())


@pytest.fixture
def world_a(tenant_a, owner_a, media_root):
    return build_world(tenant_a, owner_a)


@pytest.mark.django_db
def test_a_dry_run_counts_and_changes_nothing(tenant_a, world_a):
    before = snapshot(tenant_a)
    out = run("delete_tenant", tenant_a.slug, "--dry-run")
    assert f"Total: would delete {every_row_count(tenant_a)} rows" in out
    assert snapshot(tenant_a) == before
    with unscoped_all_tenants("test audit"):
        assert not PlatformAuditRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--confirm", "tenant-b"], "confirm with --confirm tenant-a"),
        ([], "confirm with --confirm tenant-a"),
        (["--confirm", "tenant-a"], "real data"),
    ],
    ids=["other-slug", "unconfirmed", "real-data-unflagged"],
)
def test_a_deletion_not_confirmed_deletes_nothing(tenant_a, tenant_b, world_a, args, message):
    TenantSettings.objects.filter(pk=tenant_a.pk).update(is_demo=False)
    before = snapshot(tenant_a)
    with pytest.raises(CommandError, match=message):
        run("delete_tenant", tenant_a.slug, *args)
    assert snapshot(tenant_a) == before


@pytest.mark.django_db
def test_an_unknown_business_is_an_error():
    with pytest.raises(CommandError, match="No business is called 'nobody'"):
        run("delete_tenant", "nobody", "--confirm", "nobody")


@pytest.mark.django_db
def test_a_demo_business_needs_no_real_data_flag_and_leaves_an_audit_record(world_a, tenant_a, tenant_b):
    assert tenant_a.is_demo
    counted = every_row_count(tenant_a)
    other = snapshot(tenant_b)
    run("delete_tenant", tenant_a.slug, "--confirm", tenant_a.slug)
    assert every_row_count(tenant_a) == 0
    assert snapshot(tenant_b) == other
    with unscoped_all_tenants("test audit"):
        record = PlatformAuditRecord.objects.get()
    assert (record.action, record.business_id, record.business_slug) == ("tenant.deleted", tenant_a.pk, "tenant-a")
    assert sum(record.details["rows"].values()) == counted
    assert record.performed_by.startswith("command ")


@pytest.mark.django_db
def test_the_admin_deletes_a_business_whole(operator, tenant_a, tenant_b, world_a, django_capture_on_commit_callbacks):
    """Django's own delete stops at the first protected reference; the admin's goes
    through the same deletion as the command, after showing what it will remove."""
    admin = browser(operator)
    url = f"/admin/core/tenantsettings/{tenant_a.pk}/delete/"
    confirm = admin.get(url)
    assert confirm.status_code == 200
    assert f"{every_row_count(tenant_a)} rows" in confirm.content.decode()
    other = snapshot(tenant_b)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert not TenantSettings.objects.filter(pk=tenant_a.pk).exists()
    assert every_row_count(tenant_a) == 0
    assert snapshot(tenant_b) == other
    with unscoped_all_tenants("test audit"):
        assert PlatformAuditRecord.objects.get().performed_by == operator.username


@pytest.mark.django_db
def test_a_business_owner_cannot_delete_their_business_in_the_admin(tenant_a, owner_a):
    owner_a.is_staff = True
    owner_a.save()
    response = browser(owner_a).post(f"/admin/core/tenantsettings/{tenant_a.pk}/delete/", {"post": "yes"})
    assert response.status_code in (302, 403, 404)
    assert TenantSettings.objects.filter(pk=tenant_a.pk).exists()


@pytest.mark.django_db
def test_the_demo_reset_leaves_exactly_the_new_seeds_files(settings, media_root, django_capture_on_commit_callbacks):
    """Delete and recreate: yesterday's uploads are gone with their rows, today's seed's
    files are all there, and nothing else is in the business's folder."""
    settings.DEMO_PASSWORD = "demo-pass-for-tests"
    with django_capture_on_commit_callbacks(execute=True):
        first = seed_demo_tenant("salon-x")
    first_files = {p for p in (media_root / "tenants" / "salon-x").rglob("*") if p.is_file()}
    with tenant_context(first):
        ClientFactory(tenant=first)  # a change of the day
    with django_capture_on_commit_callbacks(execute=True):
        second = seed_demo_tenant("salon-x")
    assert second.pk == first.pk
    assert second.cache_generation > first.cache_generation
    on_disk = {str(p.relative_to(media_root)) for p in (media_root / "tenants" / "salon-x").rglob("*") if p.is_file()}
    named = set()
    with unscoped_all_tenants("test files"):
        for model, fields in tenant_file_fields():
            for field in fields:
                named |= {n for n in model._base_manager.values_list(field.attname, flat=True) if n}
    assert on_disk and on_disk == named
    assert not {p for p in first_files if p.exists()}


@needs_postgresql
@pytest.mark.django_db
def test_the_runtime_role_reads_no_platform_audit_record(tenant_a):
    with unscoped_all_tenants("test audit"):
        PlatformAuditRecord.objects.create(
            action="tenant.deleted", business_id=99, business_slug="gone", performed_by="x"
        )
    with as_runtime_role(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_platformauditrecord")
        assert cursor.fetchone()[0] == 0
    with unscoped_all_tenants("test audit"):
        assert PlatformAuditRecord.objects.count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_export_reads_one_snapshot(tmp_path):
    """A client added by another connection while the export runs, after it has begun
    but before it reaches the clients' table, is not in the archive."""
    tenant = TenantFactory(slug="tenant-a")
    with tenant_context(tenant):
        ClientFactory(tenant=tenant)
    added = []

    def add_a_client_elsewhere(message: str) -> None:
        if not added:
            thread = threading.Thread(target=_add_client, args=(tenant, added))
            thread.start()
            thread.join()

    with (tmp_path / "a.tar.gz").open("wb") as out:
        manifest = tenant_export(tenant=tenant, target=out, progress=add_a_client_elsewhere)
    assert added == [True]
    clients = next(t for t in manifest["tables"] if t["model"] == "bookings.client")
    assert clients["rows"] == 1
    with tarfile.open(tmp_path / "a.tar.gz") as tar:
        lines = tar.extractfile("tables/bookings.client.jsonl").read().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])


def _add_client(tenant, added: list) -> None:
    try:
        with tenant_context(tenant):
            ClientFactory(tenant=tenant)
        added.append(True)
    finally:
        connection.close()


@pytest.mark.django_db
def test_operators_are_kept_when_a_business_goes(operator, tenant_a, world_a):
    run("delete_tenant", tenant_a.slug, "--confirm", tenant_a.slug)
    with unscoped_all_tenants("test operators"):
        assert User._base_manager.filter(pk=operator.pk).exists()
