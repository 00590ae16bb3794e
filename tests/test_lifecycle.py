"""A business's whole life: exported, deleted, restored, copied, with the other business
untouched throughout. On PostgreSQL every step runs as production runs it: the export as
the runtime role in the business's scope, the deletion and the restore as the platform
role (tests/rls.py switches the test's transaction statement by statement)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from contextlib import nullcontext
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db.models import F

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from comms.factories import MessageAttachmentFactory
from comms.models import Message
from core.integrations.secrets import decrypt_secret
from core.lifecycle.tables import tenant_tables
from core.models import PlatformAuditRecord, TenantIntegrationKey, TenantSettings
from core.tenancy import (
    Access,
    is_tenant_scoped,
    tenancy_of,
    tenant_cache_get_or_set,
    tenant_cache_key,
    tenant_counter_key,
    unscoped_all_tenants,
)
from tests.isolation import build_world, router_routes, snapshot
from tests.plugin import api_client_for
from tests.rls import ON_POSTGRESQL, as_runtime_role

# Rows an archive leaves out on purpose (``lifecycle_exported = False``): outstanding
# password links, the business's own export archives. A restore does not bring them back.
NOT_EXPORTED = {table.model._meta.label for table in tenant_tables() if not table.exported}
LIST_ROUTES = [
    r
    for r in router_routes()
    if is_tenant_scoped(r.model)
    and not r.detail
    and "get" in r.methods
    and r.access is not Access.PUBLIC
    and r.model._meta.label not in NOT_EXPORTED
]
DETAIL_ROUTES = [
    r
    for r in router_routes()
    if is_tenant_scoped(r.model) and r.detail and "get" in r.methods and r.model._meta.label not in NOT_EXPORTED
]


def as_production():
    """The roles production runs as, on PostgreSQL; SQLite has one."""
    return as_runtime_role() if ON_POSTGRESQL else nullcontext()


class _Sink(io.StringIO):
    pass


def run(command: str, *args: str) -> str:
    out = _Sink()
    call_command(command, *args, stdout=out, stderr=_Sink())
    return out.getvalue()


def stored_files(media_root: Path, slug: str) -> dict[str, str]:
    folder = media_root / "tenants" / slug
    return {
        str(path.relative_to(media_root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def list_answers(owner: User, world) -> dict[str, tuple[int, object]]:
    client = api_client_for(owner)
    answers = {}
    for route in LIST_ROUTES:
        response = client.get(route.url_in(world))
        answers[str(route)] = (response.status_code, response.json())
    return answers


@pytest.fixture
def two_worlds(tenant_a, tenant_b, owner_a, owner_b, media_root):
    """A row of every kind in each business, its files among them."""
    worlds = build_world(tenant_a, owner_a), build_world(tenant_b, owner_b)
    for world, tenant in zip(worlds, (tenant_a, tenant_b), strict=True):
        with unscoped_all_tenants("test files"):
            MessageAttachmentFactory(stored=True, message=world[Message])
        assert stored_files(media_root, tenant.slug), "the world has files"
    return worlds


def test_every_table_of_the_world_has_rows(tenant_a, two_worlds):
    """The round trip below proves something of every table only if each has a row."""
    counts = {label: len(rows) for label, rows in snapshot(tenant_a).items()}
    assert all(counts.values()), {label for label, count in counts.items() if not count}


@pytest.mark.django_db
def test_export_delete_import_gives_the_business_back_and_leaves_the_other_alone(
    tenant_a, tenant_b, owner_a, two_worlds, media_root, tmp_path, django_capture_on_commit_callbacks
):
    world_a, _world_b = two_worlds
    archive = tmp_path / "a.tar.gz"
    answers_before = list_answers(owner_a, world_a)
    rows_before, files_before = snapshot(tenant_a), stored_files(media_root, tenant_a.slug)
    b_rows, b_files = snapshot(tenant_b), stored_files(media_root, tenant_b.slug)
    cached = tenant_cache_key(tenant_a, "figures")
    tenant_cache_get_or_set(tenant=tenant_a, name="figures", compute=lambda: "A's figures", timeout=300)
    counter = tenant_counter_key(tenant_a, "logins")
    cache.set(counter, 3)

    with as_production():
        run("export_tenant", tenant_a.slug, "--output", str(archive))
    # Writes after the export move the generation on; a restore must start above them.
    TenantSettings.objects.filter(pk=tenant_a.pk).update(cache_generation=F("cache_generation") + 40)
    last_generation = TenantSettings.objects.get(pk=tenant_a.pk).cache_generation
    with as_production(), django_capture_on_commit_callbacks(execute=True):
        run("delete_tenant", tenant_a.slug, "--confirm", tenant_a.slug, "--i-understand-this-is-real-data")

    # Nothing of A remains: no row in any table, no file, no cache entry.
    assert not TenantSettings.objects.filter(pk=tenant_a.pk).exists()
    assert {label: rows for label, rows in snapshot(tenant_a).items() if rows} == {}
    assert not (media_root / "tenants" / tenant_a.slug).exists()
    assert cache.get(cached) is None and cache.get(counter) is None
    with unscoped_all_tenants("test audit"):
        record = PlatformAuditRecord.objects.get(action=PlatformAuditRecord.Action.DELETED)
    assert record.business_slug == tenant_a.slug and record.details["files"] == len(files_before)
    assert record.details["rows"]["bookings.booking"] == len(rows_before["bookings.Booking"])
    assert (snapshot(tenant_b), stored_files(media_root, tenant_b.slug)) == (b_rows, b_files)

    with as_production():
        run("import_tenant", str(archive))

    restored = TenantSettings.objects.get(slug=tenant_a.slug)
    assert restored.pk == tenant_a.pk  # its id was free
    assert restored.cache_generation == last_generation + 1
    assert list_answers(owner_a, world_a) == answers_before
    assert snapshot(restored) == {**rows_before, **{label: [] for label in NOT_EXPORTED}}
    assert stored_files(media_root, tenant_a.slug) == files_before
    login = api_client_for(HTTP_X_TENANT_SLUG=tenant_a.slug).post(
        "/api/auth/token/", {"username": owner_a.username, "password": TEST_PASSWORD}
    )
    assert login.status_code == 200, login.content
    assert (snapshot(tenant_b), stored_files(media_root, tenant_b.slug)) == (b_rows, b_files)


@pytest.mark.django_db
def test_a_copy_under_another_slug_gets_new_ids_and_stays_apart(tenant_a, owner_a, two_worlds, media_root, tmp_path):
    """Every id is taken (the original is still here), so every row of the copy has a new
    one and every reference follows: the copy and the original are two businesses that
    cannot see each other's rows, like any other two."""
    world_a, _ = two_worlds
    archive = tmp_path / "a.tar.gz"
    with as_production():
        run("export_tenant", tenant_a.slug, "--output", str(archive))
        run("import_tenant", str(archive), "--slug", "tenant-c")
    copy = TenantSettings.objects.get(slug="tenant-c")
    original, copied = snapshot(tenant_a), snapshot(copy)

    for label, rows in original.items():
        if label in NOT_EXPORTED:
            assert copied[label] == []
            continue
        assert len(copied[label]) == len(rows), label
        assert not {r["id"] for r in rows} & {r["id"] for r in copied[label]}, label
    # Each reference of a row of the copy points to a row of the copy.
    with unscoped_all_tenants("test references"):
        for table in tenant_tables():
            lookups = {t.model: t.tenant_lookup for t in tenant_tables()}
            for field in table.fields:
                if field.is_relation and field.related_model in lookups and field.name != "tenant":
                    outside = (
                        table.model._base_manager.filter(**{table.tenant_lookup: copy.pk})
                        .exclude(**{field.attname: None})
                        .exclude(**{f"{field.name}__{lookups[field.related_model]}": copy.pk})
                    )
                    assert not outside.exists(), f"{table.label}.{field.name}"
        key = TenantIntegrationKey._base_manager.get(tenant=copy)
    assert decrypt_secret(key.encrypted_key, tenant_id=copy.pk, provider=key.provider)
    copied_files = stored_files(media_root, "tenant-c")
    assert sorted(copied_files.values()) == sorted(stored_files(media_root, tenant_a.slug).values())

    # The cross-tenant matrix between the original and its copy: each owner lists only
    # their own rows, and the other's rows are not found.
    with unscoped_all_tenants("test owner of the copy"):
        copy_owner = User._base_manager.get(tenant=copy, username=owner_a.username)
    copy_world = {model: _copied(model, obj, copy) for model, obj in world_a.items()}
    for route in LIST_ROUTES:
        response = api_client_for(copy_owner).get(route.url_in(copy_world))
        assert response.status_code == 200, route
        ids = {item["id"] for item in _items(response.json()) if isinstance(item, dict) and "id" in item}
        assert not ids & {r["id"] for r in original[route.model._meta.label]}, route
    for route in DETAIL_ROUTES:
        if route.model in world_a and route.access is not Access.PUBLIC:
            foreign = world_a[route.model]
            assert api_client_for(copy_owner).get(route.url_in(copy_world, foreign.pk)).status_code == 404, route
            mine = copy_world[route.model]
            assert api_client_for(owner_a).get(route.url_in(world_a, mine.pk)).status_code == 404, route


def _items(body):
    return body["results"] if isinstance(body, dict) and "results" in body else body


def _copied(model, obj, copy):
    """The copy's row of ``obj``'s model (the world has one of each); a shared row itself."""
    tenancy = tenancy_of(model)
    if tenancy is None or not tenancy.is_scoped:
        return obj
    with unscoped_all_tenants("test copy's rows"):
        return model._base_manager.filter(**{tenancy.tenant_id_lookup: copy.pk}).order_by("pk").first()


# Bad archives: refused before anything is written ---------------------------------------


def rebuilt(archive: Path, target: Path, change) -> Path:
    """``archive`` with its members (a dict name → bytes) passed through ``change``."""
    with tarfile.open(archive, "r:gz") as tar:
        members = {info.name: tar.extractfile(info).read() for info in tar}
    members = change(members)
    with tarfile.open(target, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def with_manifest(**changes):
    def change(members):
        manifest = json.loads(members.pop("manifest.json"))
        manifest.update(changes)
        return {**members, "manifest.json": json.dumps(manifest).encode()}

    return change


def truncated(archive: Path, target: Path) -> Path:
    target.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    return target


def tampered(members):
    name = "tables/bookings.client.jsonl"
    return {**members, name: members[name].replace(b'"', b"'", 1)}


def smuggled(members):
    return {"../outside.txt": b"x", **members}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda a, t: truncated(a, t), "truncated"),
        (lambda a, t: rebuilt(a, t, tampered), "checksum"),
        (lambda a, t: rebuilt(a, t, with_manifest(version=99)), "format version 99"),
        (lambda a, t: rebuilt(a, t, with_manifest(migrations=[["bookings", "9999_future"]])), "migration state"),
        (lambda a, t: rebuilt(a, t, smuggled), "no tenant archive holds"),
        (lambda a, t: rebuilt(a, t, lambda m: {k: v for k, v in m.items() if k != "manifest.json"}), "no manifest"),
    ],
    ids=["truncated", "tampered", "newer-format", "other-migrations", "path-outside", "no-manifest"],
)
def test_a_bad_archive_is_refused_and_nothing_is_written(tenant_a, two_worlds, media_root, tmp_path, make, message):
    archive = tmp_path / "a.tar.gz"
    run("export_tenant", tenant_a.slug, "--output", str(archive))
    bad = make(archive, tmp_path / "bad.tar.gz")
    with unscoped_all_tenants("test counts"):
        before = (TenantSettings.objects.count(), User._base_manager.count(), sorted(media_root.rglob("*")))
    with pytest.raises(CommandError, match=message):
        run("import_tenant", str(bad), "--slug", "tenant-c")
    with unscoped_all_tenants("test counts"):
        after = (TenantSettings.objects.count(), User._base_manager.count(), sorted(media_root.rglob("*")))
    assert after == before


@pytest.mark.django_db
def test_an_archive_of_a_business_whose_slug_exists_is_refused(tenant_a, two_worlds, tmp_path):
    archive = tmp_path / "a.tar.gz"
    run("export_tenant", tenant_a.slug, "--output", str(archive))
    with pytest.raises(CommandError, match="called 'tenant-a' exists here"):
        run("import_tenant", str(archive))
    assert TenantSettings.objects.filter(slug=tenant_a.slug).count() == 1
