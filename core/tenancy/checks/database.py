"""System checks of the database: every tenant model has the row-level security its
declaration calls for in its migrations, and on PostgreSQL the runtime role cannot see
past it while the platform role can."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.db import connections, transaction

from ..declarations import Kind, path_parent, tenancy_of
from ..migration.child_tenant import CarryTenant
from ..migration.key_changes import AddTenantBoundKey, AddTenantKey, AddTenantLink, TenantKeyChange
from ..migration.operations import TenantRowLevelSecurity, recorded_operations
from ..proofs import PRIVATE_SCHEMA, SCOPE_FUNCTION, SCOPE_KEY_TABLE, scope_proof
from ..runtime.database import SET_SCOPE_SQL, TRANSACTION_TOKEN_QUERY
from .declarations import path_errors
from .expectations import expected_operation
from .registry import project_models, tenant_tables


def _render_operation(operation: TenantRowLevelSecurity | TenantKeyChange | CarryTenant) -> str:
    name, _args, kwargs = operation.deconstruct()
    arguments = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
    return f"{name}({arguments})"


def _declaration(operation: TenantRowLevelSecurity) -> tuple:
    """What an operation declares, whatever the order its keys were added in."""
    _name, _args, kwargs = operation.deconstruct()
    return tuple(sorted((key, sorted(value) if isinstance(value, list) else value) for key, value in kwargs.items()))


def recorded_rls_operations() -> dict[tuple[str, str], TenantRowLevelSecurity]:
    """The declaration each model's migration files add up to, in graph order: its last
    TenantRowLevelSecurity with the tenant keys added after it."""
    from django.db.migrations.loader import MigrationLoader

    return recorded_operations(MigrationLoader(None, ignore_no_migrations=True))


def _changes_to(
    found: TenantRowLevelSecurity, expected: TenantRowLevelSecurity
) -> list[TenantKeyChange | CarryTenant] | None:
    """The tenant keys that turn ``found`` into ``expected``, or None when more differs."""
    changes: list[TenantKeyChange | CarryTenant] = []
    parent = path_parent(expected.tenant_path)
    if parent in expected.tenant_bound and parent not in found.tenant_bound:
        changes.append(CarryTenant(model_name=expected.model_name, tenant_path=expected.tenant_path))
    if expected.tenant_key and not found.tenant_key:
        changes.append(AddTenantKey(model_name=expected.model_name))
    changes += [
        AddTenantBoundKey(model_name=expected.model_name, name=name)
        for name in expected.tenant_bound
        if name not in found.tenant_bound and name != parent
    ]
    changes += [
        AddTenantLink(model_name=expected.model_name, name=name, tenant_path=expected.tenant_path)
        for name in expected.tenant_bound_links
        if name not in found.tenant_bound_links
    ]
    amended = found
    for change in changes:
        amended = change.amend(amended)
    return changes if _declaration(amended) == _declaration(expected) else None


@checks.register(checks.Tags.models)
def check_row_level_security_migrations(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every tenant model has, in its migrations, the policy its declaration calls for."""
    models_ = project_models()
    recorded = recorded_rls_operations()
    messages = []
    for model in models_:
        tenancy = tenancy_of(model)
        if (
            tenancy is None
            or not tenancy.is_scoped
            or (tenancy.kind is Kind.CHILD and path_errors(model, tenancy.path))
        ):
            continue
        expected = expected_operation(model, models_)
        found = recorded.get((model._meta.app_label, model._meta.model_name))
        if found is not None and _declaration(found) == _declaration(expected):
            continue
        changes = _changes_to(found, expected) if found is not None else None
        needed = changes or [expected]
        state = "has no row-level security" if found is None else f"has {_render_operation(found)}"
        lines = ", ".join(f"{type(op).__module__}.{_render_operation(op)}" for op in needed)
        messages.append(
            checks.Error(
                f"{model._meta.label} {state} in its migrations.",
                hint=f"Add a migration with {lines}.",
                obj=model,
                id="tenancy.E020",
            )
        )
    return messages


@checks.register(checks.Tags.database)
def check_runtime_role(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """On PostgreSQL, the role the application runs as cannot see past row-level security,
    and the platform role can."""
    if not databases or "default" not in databases:
        return []
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    role = settings.TENANCY_RUNTIME_ROLE
    if not role:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            role = cursor.fetchone()[0]
    hint = "Run the app as a role that owns nothing (DATABASE_URL) and migrate as the owner (DATABASE_MIGRATE_URL)."
    messages = [
        checks.Warning(problem.message, hint=hint, id=problem.id)
        for problem in runtime_role_problems(connection, role, tenant_tables(project_models()))
    ]
    platform = settings.TENANCY_PLATFORM_ROLE
    if platform:
        hint = "DATABASE_PLATFORM_URL names a role of its own with BYPASSRLS (README: Deployment)."
        messages += [
            checks.Warning(problem.message, hint=hint, id=problem.id)
            for problem in platform_role_problems(connection, platform, role)
        ]
    return messages


@checks.register(checks.Tags.security, deploy=True)
def check_platform_database(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Two roles on PostgreSQL need the third: work across tenants has no other rights."""
    default = connections["default"].settings_dict
    if not default["ENGINE"].endswith("postgresql"):
        return []
    if not settings.TENANCY_PLATFORM_ROLE or "platform" not in settings.DATABASES:
        if getattr(settings, "DATABASE_OWNER", None) is None:
            return []  # one role for everything: it owns the tables
        return [
            checks.Warning(
                "DATABASE_URL and DATABASE_MIGRATE_URL are set, DATABASE_PLATFORM_URL is not: operators in the "
                "admin, seed_demo, operator logins and the audit of foreign ids would see no business's rows.",
                hint="Create the platform role (LOGIN BYPASSRLS) and set DATABASE_PLATFORM_URL (README: Deployment).",
                id="tenancy.W019",
            )
        ]
    platform = connections["platform"].settings_dict
    if platform.get("NAME") != default.get("NAME"):
        return [
            checks.Warning(
                f"DATABASE_PLATFORM_URL names database {platform.get('NAME')!r}, DATABASE_URL {default.get('NAME')!r}.",
                hint="Both name the same database, as different roles.",
                id="tenancy.W022",
            )
        ]
    return []


@dataclass(frozen=True)
class RoleProblem:
    id: str
    message: str


def runtime_role_problems(connection, role: str, tables: list[str]) -> list[RoleProblem]:
    """What lets ``role`` see past row-level security on ``tables``, read from the catalog."""
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            return [RoleProblem("tenancy.W011", f"The runtime role {role!r} does not exist.")]
        if row[0]:
            problems.append(RoleProblem("tenancy.W012", f"The runtime role {role!r} is a superuser: RLS is bypassed."))
        if row[1]:
            problems.append(RoleProblem("tenancy.W013", f"The runtime role {role!r} has BYPASSRLS."))
        cursor.execute(
            "SELECT c.relname, pg_get_userbyid(c.relowner), c.relrowsecurity, c.relforcerowsecurity "
            "FROM pg_class c WHERE c.relkind = 'r' AND c.relname = ANY(%s) "
            "AND c.relnamespace = current_schema()::regnamespace",
            [tables],
        )
        catalog = {name: (owner, rls, force) for name, owner, rls, force in cursor.fetchall()}
        # SET ROLE reaches every role the runtime role is a member of.
        cursor.execute(
            "SELECT r.rolname FROM pg_roles r WHERE r.rolname <> %s AND pg_has_role(%s, r.oid, 'MEMBER') "
            "AND (r.rolsuper OR r.rolbypassrls OR r.rolname = ANY(%s)) ORDER BY r.rolname",
            [role, role, sorted({owner for owner, _, _ in catalog.values()})],
        )
        reachable = [name for (name,) in cursor.fetchall()]
        # By oid from the catalog: naming the table would need the schema's USAGE.
        cursor.execute(
            "SELECT has_schema_privilege(%s, n.oid, 'USAGE') AND has_table_privilege(%s, c.oid, 'SELECT') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
            [role, role, PRIVATE_SCHEMA, SCOPE_KEY_TABLE.split(".")[1]],
        )
        reads_key = any(row[0] for row in cursor.fetchall())
    owned = sorted(name for name, (owner, _, _) in catalog.items() if owner == role)
    if owned:
        problems.append(RoleProblem("tenancy.W014", f"The runtime role {role!r} owns {', '.join(owned)}."))
    unprotected = sorted(name for name in tables if name in catalog and not all(catalog[name][1:]))
    if unprotected:
        problems.append(RoleProblem("tenancy.W015", f"No forced row-level security on {', '.join(unprotected)}."))
    if reachable:
        problems.append(
            RoleProblem(
                "tenancy.W016",
                f"The runtime role {role!r} can SET ROLE to {', '.join(reachable)}, which bypass(es) RLS "
                "or own(s) tenant tables.",
            )
        )
    if reads_key:
        problems.append(RoleProblem("tenancy.W017", f"The runtime role {role!r} can read the tenant proof key."))
    if catalog and not proofs_accepted(connection):
        problems.append(
            RoleProblem(
                "tenancy.W018",
                "The database refuses this process's tenant proofs: every tenant table looks empty. Run migrate "
                "(it stores the key derived from DJANGO_SECRET_KEY) with the DJANGO_SECRET_KEY the app runs with.",
            )
        )
    return problems


def proofs_accepted(connection) -> bool:
    """Whether the database accepts a tenant proof made by this process now."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"SELECT to_regprocedure('{SCOPE_FUNCTION}()') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(TRANSACTION_TOKEN_QUERY)
        token = cursor.fetchone()[0]
        cursor.execute(SET_SCOPE_SQL, ["-1", scope_proof("-1", token)])
        cursor.execute(f"SELECT {SCOPE_FUNCTION}()")
        accepted = cursor.fetchone()[0] == -1
        cursor.execute(SET_SCOPE_SQL, ["", ""])
    return accepted


def platform_role_problems(connection, platform_role: str, runtime_role: str) -> list[RoleProblem]:
    """What keeps the platform role from its work (every tenant's rows), or lets the
    runtime role have the same rights, read from the catalog."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [platform_role])
        row = cursor.fetchone()
    if platform_role == runtime_role:
        return [
            RoleProblem(
                "tenancy.W021",
                f"DATABASE_PLATFORM_URL and DATABASE_URL name the same role {platform_role!r}: the runtime role "
                "would need the platform's rights.",
            )
        ]
    if row is None:
        return [RoleProblem("tenancy.W020", f"The platform role {platform_role!r} does not exist.")]
    if not (row[0] or row[1]):
        return [
            RoleProblem(
                "tenancy.W020",
                f"The platform role {platform_role!r} lacks BYPASSRLS: operators, seed_demo and operator logins "
                "see no rows.",
            )
        ]
    return []
