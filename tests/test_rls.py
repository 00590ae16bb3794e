"""PostgreSQL itself keeps tenants apart: row-level security, tenant-bound keys, roles.

Raw SQL here goes through psycopg's own cursor, past every layer of the application,
as the runtime role of ``DATABASE_URL``. Each test first proves its data is there (as
the owner), so a test cannot pass by finding nothing to leak.
"""

from __future__ import annotations

import io
import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import IntegrityError, ProgrammingError, connection, connections, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from psycopg import errors as pg_errors
from rest_framework_simplejwt.tokens import AccessToken

from accounts.factories import OperatorFactory, UserFactory
from accounts.models import AuditLogEntry, User
from bookings.factories import BookingFactory
from bookings.models import Booking, Service, Staff
from compliance.factories import ComplianceItemFactory
from compliance.models import ComplianceItem, PeaceOfMindScore
from core.demo import ensure_platform_tenant
from core.factories import TenantFactory
from core.tenancy import (
    DatabaseScopeSync,
    Kind,
    as_platform_role,
    carries_tenant,
    check_platform_database,
    expected_operation,
    platform_role_problems,
    project_models,
    runtime_role_problems,
    scope_proof,
    tenancy_of,
    tenant_context,
    tenant_table_models,
    unscoped_all_tenants,
)
from documents.models import Document, DocumentTag
from tests.isolation import build_world
from tests.plugin import admin_site_user, api_client_for, bearer, move_user
from tests.rls import (
    TENANT_TABLES,
    as_runtime_role,
    needs_postgresql,
    platform_role,
    runtime_role,
    set_scope,
    set_settings,
    transaction_token,
)

pytestmark = [needs_postgresql, pytest.mark.django_db, pytest.mark.pooled]

BOOKINGS = "/api/bookings/bookings/"
TABLES = tenant_table_models(project_models())


def tenant_rows(tenant) -> dict[str, list[int]]:
    """The ids of ``tenant``'s rows in every tenant table, read by the owner."""
    with unscoped_all_tenants("test: the rows each tenant owns"):
        return {
            table: sorted(model._base_manager.filter(**{lookup: tenant.pk}).values_list("pk", flat=True))
            for table, (model, lookup) in TABLES.items()
        }


def raw_cursor():
    """psycopg's own cursor on the test's connection and transaction: no Django layer."""
    connection.ensure_connection()
    return connection.connection.cursor()


@pytest.fixture
def worlds(tenant_a, tenant_b, owner_a, owner_b):
    """A row in every tenant table of each tenant, join tables included."""
    world_a, world_b = build_world(tenant_a, owner_a), build_world(tenant_b, owner_b)
    group, _ = Group.objects.get_or_create(name="rls-test")
    with unscoped_all_tenants("test: links of every join table"):
        for world in (world_a, world_b):
            world[Document].tags.add(world[DocumentTag])
            world[Staff].services.add(world[Service])
            world[User].groups.add(group)
            world[User].user_permissions.add(Permission.objects.order_by("pk").first())
    return world_a, world_b


def test_every_tenant_table_holds_rows_of_both_tenants(worlds, tenant_a, tenant_b):
    for tenant in (tenant_a, tenant_b):
        empty = [table for table, ids in tenant_rows(tenant).items() if not ids]
        assert empty == []


def test_raw_sql_for_tenant_b_reads_changes_and_adds_nothing_of_a(worlds, tenant_a, tenant_b):
    rows_a, rows_b = tenant_rows(tenant_a), tenant_rows(tenant_b)
    with raw_cursor() as cursor:
        copies = {}
        for table, ids in rows_a.items():
            cursor.execute(f'SELECT to_jsonb(t)::text FROM "{table}" t WHERE id = %s', [ids[0]])
            copies[table] = json.loads(cursor.fetchone()[0])
    with as_runtime_role(), raw_cursor() as cursor:
        set_scope(cursor, tenant_b.pk)
        for table, ids_a in rows_a.items():
            cursor.execute(f'SELECT id FROM "{table}"')
            assert sorted(row[0] for row in cursor.fetchall()) == rows_b[table], table
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE id = ANY(%s)', [ids_a])
            assert cursor.fetchone()[0] == 0, table
            cursor.execute(f'UPDATE "{table}" SET id = id WHERE id = ANY(%s)', [ids_a])
            assert cursor.rowcount == 0, table
            cursor.execute(f'DELETE FROM "{table}" WHERE id = ANY(%s)', [ids_a])
            assert cursor.rowcount == 0, table
            columns = ", ".join(f'"{name}"' for name in copies[table] if name != "id")
            with pytest.raises(pg_errors.InsufficientPrivilege, match="row-level security"), transaction.atomic():
                cursor.execute(
                    f'INSERT INTO "{table}" ({columns}) SELECT {columns} '
                    f'FROM jsonb_populate_record(NULL::"{table}", %s::jsonb)',
                    [json.dumps(copies[table])],
                )
    assert tenant_rows(tenant_a) == rows_a


def test_with_no_tenant_set_every_tenant_table_is_empty(worlds):
    with as_runtime_role(), raw_cursor() as cursor:
        set_scope(cursor)
        for table in TENANT_TABLES:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            assert cursor.fetchone()[0] == 0, table


# Nothing the runtime role sets shows more than one tenant -----------------------------


def _family(table: str) -> str:
    model, _lookup = TABLES[table]
    if model._meta.auto_created:
        return "join tables"
    if model is User:
        return "users"
    return "roots" if tenancy_of(model).kind is Kind.ROOT else "children"


FAMILIES = {family: [t for t in TENANT_TABLES if _family(t) == family] for family in map(_family, TENANT_TABLES)}
BYPASS_VALUES = ["", "on", "auth", "true", "1", "all", "*"]


def attempts(cursor, own, foreign) -> list[tuple[str, dict[str, str]]]:
    """Every combination of the policies' settings (past and present) that SQL run as
    the runtime role might try, in the running transaction."""
    own_id, foreign_id = str(own.pk), str(foreign.pk)
    own_proof = scope_proof(own_id, transaction_token(cursor))
    tried = []
    for bypass in BYPASS_VALUES:
        for label, tenant_id, proof in [
            ("nothing", "", ""),
            ("its own tenant", own_id, own_proof),
            ("the other id with its own proof", foreign_id, own_proof),
            ("the other id with no proof", foreign_id, ""),
            ("the other id with a proof of another transaction", foreign_id, scope_proof(foreign_id, "1:1")),
            ("the other id with a proof under another key", foreign_id, scope_proof(foreign_id, "", key=b"x")),
            ("no id with its own proof", "", own_proof),
        ]:
            values = {"app.tenant_bypass": bypass, "app.tenant_id": tenant_id, "app.tenant_proof": proof}
            tried.append((f"{label}, app.tenant_bypass={bypass!r}", values))
    return tried


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_no_setting_shows_the_runtime_role_another_tenant_or_an_operator(worlds, tenant_a, tenant_b, family):
    """As the runtime role, whatever it sets: nothing of tenant A, no operator, and at
    most tenant B's own rows (B is the tenant whose proof the transaction holds)."""
    tables = FAMILIES[family]
    operator = OperatorFactory(username="rls-no-setting-operator")
    rows_a, rows_b = tenant_rows(tenant_a), tenant_rows(tenant_b)
    with raw_cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user WHERE tenant_id IS NULL")
        assert cursor.fetchone()[0] >= 1  # there is an operator to leak
    with as_runtime_role(), raw_cursor() as cursor:
        for label, values in attempts(cursor, tenant_b, tenant_a):
            set_settings(cursor, values)
            for table in tables:
                cursor.execute(f'SELECT id FROM "{table}"')
                seen = {row[0] for row in cursor.fetchall()}
                assert seen <= set(rows_b[table]), (label, table)
                assert not seen & set(rows_a[table]), (label, table)
                cursor.execute(f'UPDATE "{table}" SET id = id WHERE id = ANY(%s)', [rows_a[table]])
                assert cursor.rowcount == 0, (label, table)
                if table == "accounts_user":
                    assert operator.pk not in seen, label
                    cursor.execute(
                        "SELECT count(*) FROM accounts_user WHERE tenant_id IS NULL OR id = %s", [operator.pk]
                    )
                    assert cursor.fetchone()[0] == 0, label
                    cursor.execute("UPDATE accounts_user SET first_name = 'changed' WHERE tenant_id IS NULL")
                    assert cursor.rowcount == 0, label


def test_the_families_cover_every_tenant_table():
    assert sorted(FAMILIES) == ["children", "join tables", "roots", "users"]
    assert sorted(t for tables in FAMILIES.values() for t in tables) == sorted(TENANT_TABLES)
    assert FAMILIES["users"] == ["accounts_user"]


def test_the_runtime_role_sees_its_tenant_only_with_a_proof_for_its_own_transaction(worlds, tenant_a, tenant_b):
    rows_b = tenant_rows(tenant_b)
    with as_runtime_role(), raw_cursor() as cursor:
        set_scope(cursor, tenant_b.pk)
        cursor.execute("SELECT id FROM bookings_booking")
        assert sorted(row[0] for row in cursor.fetchall()) == rows_b["bookings_booking"]  # the proof works
        set_scope(cursor, tenant_b.pk, proof=scope_proof(str(tenant_b.pk), "1:1"))
        cursor.execute("SELECT count(*) FROM bookings_booking")
        assert cursor.fetchone()[0] == 0


def test_a_proof_read_in_another_connections_query_text_shows_nothing(worlds, tenant_a, tenant_b):
    """Another connection of the runtime role, mid-transaction, with tenant A's scope set
    as the application sets it (values inline in the query text, as Django's client-side
    binding sends them): its query text is visible to the runtime role, its proof is not
    worth anything in another transaction."""
    rows_a = tenant_rows(tenant_a)
    victim = runtime_connection()
    try:
        with victim.cursor() as cursor:
            set_scope(cursor, tenant_a.pk)
            cursor.execute("SELECT tenancy_scope_tenant(), pg_backend_pid()")
            accepted, victim_pid = cursor.fetchone()
            set_scope(cursor, tenant_a.pk)  # its last query: the proof, inline
        assert accepted == tenant_a.pk  # a valid proof, in the victim's transaction
        with as_runtime_role(), raw_cursor() as cursor:
            cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [victim_pid])
            (text,) = cursor.fetchone()
            assert "app.tenant_proof" in text, text
            proof = re.search(r"'([0-9a-f]{64})'", text).group(1)
            set_scope(cursor, tenant_a.pk, proof=proof)
            cursor.execute("SELECT tenancy_scope_tenant()")
            assert cursor.fetchone()[0] is None
            for table, ids in rows_a.items():
                cursor.execute(f'SELECT count(*) FROM "{table}" WHERE id = ANY(%s)', [ids])
                assert cursor.fetchone()[0] == 0, table
    finally:
        victim.close()


def runtime_connection() -> psycopg.Connection:
    """A connection of its own, logged in as the runtime role (not switched to it), its
    parameters bound in the client as Django binds them."""
    database = connection.settings_dict
    return psycopg.connect(
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        dbname=database["NAME"],
        user=runtime_role(),
        cursor_factory=psycopg.ClientCursor,
    )


def test_the_runtime_role_cannot_reach_the_key_the_platform_role_or_the_policies(worlds, tenant_a):
    rows_a = tenant_rows(tenant_a)
    refusals = [
        "SELECT * FROM tenancy_private.scope_key",
        f"SET ROLE {platform_role()}",
        "CREATE OR REPLACE FUNCTION tenancy_scope_tenant() RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint'",
        "ALTER FUNCTION tenancy_scope_tenant() OWNER TO CURRENT_USER",
        "ALTER TABLE bookings_booking DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE bookings_booking NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY tenancy_isolation ON bookings_booking",
        "CREATE POLICY everything ON bookings_booking USING (true)",
        "TRUNCATE bookings_booking",
    ]
    runtime = runtime_connection()
    try:
        for statement in refusals:
            with pytest.raises(pg_errors.InsufficientPrivilege), runtime.transaction(), runtime.cursor() as cursor:
                cursor.execute(statement)
    finally:
        runtime.close()
    with as_runtime_role(), raw_cursor() as cursor:
        # A function of the same name earlier on the search path: the policies call theirs.
        cursor.execute(
            "CREATE FUNCTION pg_temp.tenancy_scope_tenant() RETURNS bigint LANGUAGE sql "
            f"AS 'SELECT {tenant_a.pk}::bigint'"
        )
        cursor.execute("SET LOCAL search_path = pg_temp, public")
        set_scope(cursor, tenant_a.pk, proof="")
        cursor.execute("SELECT count(*) FROM bookings_booking WHERE id = ANY(%s)", [rows_a["bookings_booking"]])
        assert cursor.fetchone()[0] == 0
        cursor.execute("RESET search_path")


# Platform work: the platform role's rights, never the runtime role's -------------------


def test_work_across_tenants_shows_the_runtime_role_nothing(worlds):
    """The application's own bypass, run as the runtime role alone: no rows. Its rights
    come from the platform role only."""
    with raw_cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {runtime_role()}")
    try:
        with unscoped_all_tenants("test: the runtime role alone"):
            assert Booking.objects.count() == 0
            assert not User.objects.filter(tenant__isnull=True).exists()
            with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
                OperatorFactory(username="rls-created-by-the-runtime-role")
    finally:
        with raw_cursor() as cursor:
            cursor.execute("RESET ROLE")


def test_work_across_tenants_runs_as_the_platform_role(worlds):
    totals = {}
    with raw_cursor() as cursor:
        for table in TENANT_TABLES:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            totals[table] = cursor.fetchone()[0]
    with as_runtime_role():
        with unscoped_all_tenants("test: the platform role's rights"):
            counts = {table: model._base_manager.count() for table, (model, _) in TABLES.items()}
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_user")
                assert cursor.fetchone()[0] == platform_role()
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == runtime_role()
    assert counts == totals


def test_the_catalog_forces_rls_on_every_tenant_table_for_a_role_that_owns_nothing():
    role = runtime_role()
    with raw_cursor() as cursor:
        cursor.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace AND relname = ANY(%s)",
            [TENANT_TABLES],
        )
        catalog = {name: (rls, force, owner) for name, rls, force, owner in cursor.fetchall()}
        cursor.execute(
            "SELECT tablename FROM pg_policies WHERE policyname = 'tenancy_isolation' "
            "AND qual IS NOT NULL AND with_check IS NOT NULL"
        )
        with_policy = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        role_flags = cursor.fetchone()
        cursor.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND column_name = 'tenant_id'"
        )
        with_tenant_column = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT tablename FROM pg_tables WHERE tableowner = %s", [role])
        owned = [row[0] for row in cursor.fetchall()]

    assert sorted(catalog) == sorted(TENANT_TABLES)
    assert [t for t, (rls, force, _) in catalog.items() if not (rls and force)] == []
    assert set(TENANT_TABLES) <= with_policy
    assert with_tenant_column <= set(TENANT_TABLES)  # no table carries tenants undeclared
    assert role_flags == (False, False)
    assert owned == []
    assert runtime_role_problems(connection, role, TENANT_TABLES) == []
    assert {p.id for p in runtime_role_problems(connection, "postgres", TENANT_TABLES)} >= {"tenancy.W012"}


def test_every_policy_compares_with_the_proven_tenant_and_nothing_else():
    with raw_cursor() as cursor:
        cursor.execute(
            "SELECT tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = current_schema()"
        )
        policies = cursor.fetchall()
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [platform_role()])
        platform_flags = cursor.fetchone()
    assert sorted(table for table, *_ in policies) == sorted(TENANT_TABLES)  # one each, no other
    for table, name, qual, with_check in policies:
        assert name == "tenancy_isolation", table
        assert qual == with_check, table
        assert "tenancy_scope_tenant()" in qual, table
        assert "current_setting" not in qual and "tenant_bypass" not in qual, table
    assert platform_flags == (False, True)
    assert platform_role() != runtime_role()
    assert platform_role_problems(connection, platform_role(), runtime_role()) == []


def test_the_role_checks_see_each_way_past_the_policies():
    suffix = uuid.uuid4().hex[:8]
    member, reader = f"rls_test_member_{suffix}", f"rls_test_reader_{suffix}"
    with raw_cursor() as cursor:  # roles, grants and the key change roll back with the test
        cursor.execute(f"CREATE ROLE {member} NOLOGIN")
        cursor.execute(f"GRANT {platform_role()} TO {member}")
        cursor.execute(f"CREATE ROLE {reader} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA tenancy_private TO {reader}")
        cursor.execute(f"GRANT SELECT ON tenancy_private.scope_key TO {reader}")
    assert {p.id for p in runtime_role_problems(connection, member, TENANT_TABLES)} == {"tenancy.W016"}
    assert {p.id for p in runtime_role_problems(connection, reader, TENANT_TABLES)} == {"tenancy.W017"}
    assert [p.id for p in platform_role_problems(connection, runtime_role(), "another")] == ["tenancy.W020"]
    assert [p.id for p in platform_role_problems(connection, runtime_role(), runtime_role())] == ["tenancy.W021"]
    with raw_cursor() as cursor:
        cursor.execute("UPDATE tenancy_private.scope_key SET inner_pad = sha256(inner_pad)")
    assert {p.id for p in runtime_role_problems(connection, runtime_role(), TENANT_TABLES)} == {"tenancy.W018"}


def test_two_roles_without_the_platform_role_are_warned_about(settings):
    assert "tenancy.W019" not in {m.id for m in check_platform_database()}
    settings.TENANCY_PLATFORM_ROLE = ""  # as with no DATABASE_PLATFORM_URL
    assert [m.id for m in check_platform_database()] == ["tenancy.W019"]


def test_the_database_check_is_quiet_for_the_runtime_role(capsys):
    call_command("check", "--database", "default")
    assert "tenancy.W0" not in capsys.readouterr().err


# Tenant-bound keys: the database refuses a reference into another tenant -----------


def _tenant_bound_references():
    models_ = project_models()
    for model in models_:
        tenancy = tenancy_of(model)
        if tenancy is None or not tenancy.is_scoped:
            continue
        operation = expected_operation(model, models_)
        for name in operation.tenant_bound:
            yield model, name
        for name in operation.tenant_bound_links:
            if carries_tenant(model._meta.get_field(name).related_model):  # not links to groups
                yield model, name


BOUND = list(_tenant_bound_references())
# What else a row must change for the reference to be the only thing refused.
ALSO_SET = {("PaymentSession", "class_package"): {"booking_id": None, "purpose": "class_package"}}


def test_the_bound_references_are_the_ones_the_issue_names():
    names = {f"{model.__name__}.{name}" for model, name in BOUND}
    assert {"Booking.service", "Booking.staff", "Booking.client", "PaymentSession.customer"} <= names
    assert {"Document.tags", "Staff.services", "PaymentSession.booking", "ComplianceItem.category"} <= names


@pytest.mark.parametrize(("model", "field_name"), BOUND, ids=lambda v: getattr(v, "__name__", v))
def test_a_reference_into_another_tenant_fails_in_the_database(worlds, model, field_name):
    """As the owner, with no RLS and no application check in the way: only the keys refuse."""
    world_a, world_b = worlds
    field = model._meta.get_field(field_name)
    own, foreign = world_b[model], world_a[field.related_model]
    with raw_cursor() as cursor, pytest.raises(pg_errors.ForeignKeyViolation), transaction.atomic():
        if field.many_to_many:
            through = field.remote_field.through._meta
            cursor.execute(
                f'INSERT INTO "{through.db_table}" ("{field.m2m_column_name()}", "{field.m2m_reverse_name()}") '
                "VALUES (%s, %s)",
                [own.pk, foreign.pk],
            )
        else:
            if field.one_to_one:  # free the foreign row's one place first
                cursor.execute(f'DELETE FROM "{model._meta.db_table}" WHERE "{field.column}" = %s', [foreign.pk])
            values = {field.column: foreign.pk, **ALSO_SET.get((model.__name__, field_name), {})}
            assignments = ", ".join(f'"{column}" = %s' for column in values)
            cursor.execute(
                f'UPDATE "{model._meta.db_table}" SET {assignments} WHERE id = %s', [*values.values(), own.pk]
            )


def test_the_orm_gets_an_integrity_error_not_a_silent_link(worlds):
    world_a, world_b = worlds
    booking = world_b[Booking]
    with unscoped_all_tenants("test: the keys alone"), pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(service_id=world_a[Service].pk)


# The tenant per transaction --------------------------------------------------------


def test_a_request_tells_the_database_its_tenant_once(worlds, owner_b, tenant_b, monkeypatch):
    writes = []
    original = DatabaseScopeSync.write_scope

    def counting(connection, scope):
        writes.append(scope)
        original(connection, scope)

    monkeypatch.setattr(DatabaseScopeSync, "write_scope", staticmethod(counting))

    def writes_during(request) -> list[str]:
        # The test's own transaction outlives each request: start it clean, as a
        # request's new transaction starts in production.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        writes.clear()
        assert request().status_code == 200
        return list(writes)

    # The tenant, with the business's statement timeout (runtime.governance), in one write.
    told = f"{tenant_b.pk}/{settings.TENANT_STATEMENT_TIMEOUT_MS}"
    with as_runtime_role():
        assert writes_during(lambda: api_client_for(owner_b).get(BOOKINGS)) == [told]
        public = api_client_for(HTTP_X_TENANT_SLUG=tenant_b.slug)
        assert writes_during(lambda: public.get("/api/bookings/public/services/")) == [told]
        assert writes_during(lambda: api_client_for().get("/api/schema/")) == []


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_begins_with_a_savepoint_is_told_its_tenant(settings):
    """An atomic block nested at once in another: the transaction's first statement is a
    SAVEPOINT. The tenant (and a proof for this transaction) is written all the same."""
    user = UserFactory(username="savepoint-owner", tenant__slug="savepoint-first")
    with tenant_context(user.tenant):
        bookings = {BookingFactory(tenant=user.tenant).pk for _ in range(2)}
    with three_roles(settings), tenant_context(user.tenant):
        with transaction.atomic():
            assert set(Booking.objects.values_list("pk", flat=True)) == bookings
        with transaction.atomic(), transaction.atomic():
            assert set(Booking.objects.values_list("pk", flat=True)) == bookings


@pytest.mark.django_db(transaction=True)
def test_interleaved_requests_of_many_tenants_on_persistent_connections_never_mix(settings):
    tenants, users, bookings = [], [], {}
    for n in range(4):
        user = UserFactory(username=f"thread-owner-{n}", tenant__slug=f"thread-{n}")
        with tenant_context(user.tenant):
            bookings[user.tenant.pk] = {BookingFactory(tenant=user.tenant).pk for _ in range(3)}
        tenants.append(user.tenant)
        users.append(user)

    database = connections.settings["default"]
    saved = {key: database.get(key) for key in ("USER", "PASSWORD", "CONN_MAX_AGE")}
    database.update({"USER": runtime_role(), "PASSWORD": "", "CONN_MAX_AGE": 600})
    seen: list[tuple[int, int, set, str, int]] = []
    failures: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            for i in range(40):
                user = users[(offset + i) % len(users)]
                response = api_client_for(user).get(BOOKINGS, {"page_size": 100})
                assert response.status_code == 200, response.content
                ids = {row["id"] for row in response.json()["results"]}
                with connections["default"].cursor() as cursor:
                    cursor.execute("SELECT current_setting('app.tenant_id', true), pg_backend_pid()")
                    leftover, pid = cursor.fetchone()
                seen.append((offset, user.tenant_id, ids, leftover, pid))
        except BaseException as exc:  # reported in the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=worker, args=(offset,)) for offset in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        database.update(saved)

    assert failures == []
    assert len(seen) == 160
    assert all(ids == bookings[tenant_id] for _, tenant_id, ids, _, _ in seen)
    assert {leftover for *_, leftover, _ in seen} <= {"", None}
    if settings.DATABASE_TRANSACTION_POOLING:
        # Through PgBouncer: server connections passed between tenants, and still no mix.
        tenants_per_backend = {pid: {t for _, t, _, _, p in seen if p == pid} for *_, pid in seen}
        assert any(len(served) > 1 for served in tenants_per_backend.values())
    else:
        pids_per_thread = {offset: {pid for o, *_, pid in seen if o == offset} for offset in range(4)}
        assert all(len(pids) == 1 for pids in pids_per_thread.values())  # one persistent connection each


# Authentication as the runtime role --------------------------------------------------


LOGIN = "/api/auth/token/"


def test_logins_tokens_and_refresh_work_for_the_runtime_role(worlds, owner_a, owner_b, tenant_a, tenant_b):
    from accounts.factories import TEST_PASSWORD

    logins = AuditLogEntry.objects.filter(user=owner_b, action="login")
    with unscoped_all_tenants("test: logins are audited"):
        logins_before = logins.count()
    with as_runtime_role():
        direct = api_client_for(HTTP_HOST=f"{tenant_b.slug}.localhost").post(
            LOGIN, {"username": owner_b.username, "password": TEST_PASSWORD}
        )
        assert direct.status_code == 200, direct.content
        via_own = api_client_for(HTTP_X_TENANT_SLUG=tenant_b.slug).post(
            LOGIN, {"username": owner_b.username, "password": TEST_PASSWORD}
        )
        assert via_own.status_code == 200
        via_other = api_client_for(HTTP_X_TENANT_SLUG=tenant_a.slug).post(
            LOGIN, {"username": owner_b.username, "password": TEST_PASSWORD}
        )
        wrong = api_client_for(HTTP_X_TENANT_SLUG=tenant_a.slug).post(
            LOGIN, {"username": owner_a.username, "password": "wrong"}
        )
        assert via_other.status_code == wrong.status_code == 401
        assert via_other.json() == wrong.json()
        refreshed = api_client_for().post("/api/auth/token/refresh/", {"refresh": direct.json()["refresh"]})
        assert refreshed.status_code == 200
        elsewhere = api_client_for(HTTP_X_TENANT_SLUG=tenant_a.slug).post(
            "/api/auth/token/refresh/", {"refresh": direct.json()["refresh"]}
        )
        assert (elsewhere.status_code, elsewhere.json()["code"]) == (403, "tenant_mismatch")
        token = refreshed.json()["access"]
        assert api_client_for().get(BOOKINGS, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    with unscoped_all_tenants("test: logins are audited"):
        assert logins.count() == logins_before + 2


def test_a_token_of_a_user_who_moved_is_refused_by_the_database(worlds, owner_b, tenant_a):
    token = bearer(owner_b)
    move_user(owner_b, tenant_a)
    with as_runtime_role():
        response = api_client_for().get(BOOKINGS, HTTP_AUTHORIZATION=token)
    assert response.status_code == 401
    assert response.json()["code"] == "token_tenant_stale"


def test_an_operator_acts_in_the_tenant_it_names(worlds, tenant_a):
    operator = OperatorFactory(username="rls-operator")
    assert AccessToken(bearer(operator).split()[1])["tenant_id"] is None
    with as_runtime_role():
        response = api_client_for(operator, HTTP_X_TENANT_SLUG=tenant_a.slug).get(BOOKINGS)
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {worlds[0][Booking].pk}


def test_a_locked_out_login_is_audited_by_the_runtime_role(worlds, owner_b, tenant_b):
    """The lock's audit entry is written after the refused request's rollback, in the
    business's own scope, which the runtime role's policies allow."""
    client = api_client_for(HTTP_X_TENANT_SLUG=tenant_b.slug)
    with as_runtime_role():
        answers = [
            client.post(LOGIN, {"username": owner_b.username, "password": "wrong"}).status_code for _ in range(11)
        ]
        assert answers == [401] * 10 + [429]
        with tenant_context(tenant_b):
            assert AuditLogEntry.objects.filter(user=owner_b, action="login_locked").count() == 1


def test_the_admin_works_for_operators_and_tenant_staff(worlds, tenant_b):
    from accounts.factories import TEST_PASSWORD

    operator = OperatorFactory(username="rls-admin")
    admin_b = admin_site_user(tenant_b, Permission.objects.filter(codename="view_booking"))
    with as_runtime_role():
        operator_browser = HttpClient()
        assert operator_browser.login(username=operator.username, password=TEST_PASSWORD)
        page = operator_browser.get("/admin/bookings/booking/")
        assert page.status_code == 200
        assert "2 bookings" in page.content.decode()
        # A business's staff sign in on their business's host, where the login finds them.
        staff_browser = HttpClient(HTTP_HOST=f"{tenant_b.slug}.localhost")
        signed_in = staff_browser.post(
            "/admin/login/?next=/admin/", {"username": admin_b.username, "password": TEST_PASSWORD, "next": "/admin/"}
        )
        assert signed_in.status_code == 302, signed_in.content
        page = staff_browser.get("/admin/bookings/booking/")
        assert page.status_code == 200
        assert "1 booking" in page.content.decode()


def test_seed_demo_runs_as_the_platform_role(settings):
    settings.DEMO_PASSWORD = "demo-pass-for-tests"
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    with as_runtime_role():
        call_command("seed_demo", "--tenant", "mind-department", stdout=io.StringIO())
        with as_platform_role():
            ensure_platform_tenant()  # what --all adds: NBNE and the platform operator
    with unscoped_all_tenants("test: what the seed wrote"):
        assert Booking.objects.filter(client__tenant__slug="mind-department").exists()
        assert User.objects.filter(tenant__isnull=True, username="platform-admin").exists()


# The platform role on its own connection, as production runs it ------------------------


@contextmanager
def three_roles(settings) -> Iterator[None]:
    """``default`` connected as the runtime role and ``platform`` as the platform role,
    two connections as in production, and platform work routed to the second. For a
    transactional test: the data set up before is committed, visible to both."""
    default, platform = connections["default"], connections["platform"]
    saved_default = {key: default.settings_dict.get(key) for key in ("USER", "PASSWORD")}
    saved_platform = platform.settings_dict  # a test mirror shares default's dict
    saved_alias = settings.TENANCY_PLATFORM_DATABASE
    default.close()
    platform.close()
    default.settings_dict.update({"USER": runtime_role(), "PASSWORD": ""})
    platform.settings_dict = {
        **default.settings_dict,
        "USER": platform_role(),
        "PASSWORD": settings.DATABASES["platform"].get("PASSWORD", ""),
    }
    settings.TENANCY_PLATFORM_DATABASE = "platform"
    try:
        yield
    finally:
        default.close()
        platform.close()
        default.settings_dict.update(saved_default)
        platform.settings_dict = saved_platform
        settings.TENANCY_PLATFORM_DATABASE = saved_alias


def _current_user(alias: str) -> str:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, databases=["default", "platform"])
def test_platform_work_runs_on_the_platform_roles_own_connection(settings, caplog):
    from accounts.factories import TEST_PASSWORD

    tenant_a, tenant_b = TenantFactory(slug="tenant-a"), TenantFactory(slug="tenant-b")
    owner_b = UserFactory(tenant=tenant_b, username="tenant-b-owner")
    admin_b = admin_site_user(tenant_b, Permission.objects.filter(codename="view_booking"))
    operator = OperatorFactory(username="platform-operator")
    with tenant_context(tenant_a):
        booking_a = BookingFactory(tenant=tenant_a)
    with tenant_context(tenant_b):
        BookingFactory(tenant=tenant_b)
    with tenant_context(tenant_a):
        item_a = ComplianceItemFactory(tenant=tenant_a)
    settings.DEMO_PASSWORD = "demo-pass-for-tests"
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)

    with three_roles(settings):
        assert _current_user("default") == runtime_role()
        with CaptureQueriesContext(connections["platform"]) as on_platform:
            operator_browser = HttpClient()
            assert operator_browser.login(username=operator.username, password=TEST_PASSWORD)
            page = operator_browser.get("/admin/bookings/booking/")
            assert page.status_code == 200
            assert "2 bookings" in page.content.decode()
        assert any("bookings_booking" in query["sql"] for query in on_platform.captured_queries)
        assert _current_user("platform") == platform_role()
        # A change by an operator: the admin's transaction is the platform connection's,
        # and the service it calls (a score recomputed under a row lock) runs inside it.
        deleted = operator_browser.post(f"/admin/compliance/complianceitem/{item_a.pk}/delete/", {"post": "yes"})
        assert deleted.status_code == 302, deleted.content[:500]

        staff_browser = HttpClient(HTTP_HOST=f"{tenant_b.slug}.localhost")  # a member names the business
        signed_in = staff_browser.post(
            "/admin/login/?next=/admin/", {"username": admin_b.username, "password": TEST_PASSWORD, "next": "/admin/"}
        )
        assert signed_in.status_code == 302, signed_in.content
        page = staff_browser.get("/admin/bookings/booking/")
        assert page.status_code == 200
        assert "1 booking" in page.content.decode()

        login = api_client_for().post(LOGIN, {"username": operator.username, "password": TEST_PASSWORD})
        assert login.status_code == 200, login.content
        token = login.json()["access"]
        listed = api_client_for().get(BOOKINGS, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_TENANT_SLUG="tenant-a")
        assert listed.status_code == 200
        assert {row["id"] for row in listed.json()["results"]} == {booking_a.pk}

        caplog.set_level("WARNING", logger="nbne.tenancy.audit")
        assert api_client_for(owner_b).get(f"{BOOKINGS}{booking_a.pk}/").status_code == 404
        assert "reason=foreign_booking" in caplog.text
        assert "user_tenant=tenant-b requested_tenant=tenant-a" in caplog.text

        call_command("seed_demo", "--tenant", "mind-department", stdout=io.StringIO())
        with as_platform_role():
            assert _current_user("default") == platform_role()
            ensure_platform_tenant()  # what --all adds: NBNE and the platform operator
        assert _current_user("default") == runtime_role()  # the command's role was its own
    with unscoped_all_tenants("test: what the seed wrote"):
        assert not ComplianceItem.objects.filter(pk=item_a.pk).exists()
        assert PeaceOfMindScore.objects.filter(tenant=tenant_a).exists()
        assert Booking.objects.filter(tenant__slug="mind-department").exists()
        assert User.objects.filter(tenant__isnull=True, username="platform-admin").exists()
