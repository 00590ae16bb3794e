"""The platform role: where work across tenants gets its rights on PostgreSQL.

The runtime role of ``DATABASE_URL`` sees the rows of one tenant, whatever SQL it runs
and whatever it sets (``core.tenancy.proofs``). Work that needs more — operators in the admin,
``seed_demo`` and other platform commands, the login and token lookup of operators
(users of no tenant), session authentication before a tenant is known, the audit of
foreign ids after a response — runs as a third role, the platform role of
``DATABASE_PLATFORM_URL``: ``BYPASSRLS``, on a connection of its own (the ``platform``
alias), with credentials the runtime role does not hold. :class:`PlatformRouter` sends
a query there whenever the running code needs those rights
(:func:`~core.tenancy.needs_platform_role`), and to ``default`` otherwise.

Without ``DATABASE_PLATFORM_URL`` (SQLite, or one role for everything) there is no such
alias and everything stays on ``default``; ``check --deploy`` warns when two roles run
without the third (tenancy.W019).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from ..scope import current_scope, needs_platform_role, with_platform_rights_on_default

PLATFORM_DB_ALIAS = "platform"


def platform_alias() -> str | None:
    """The alias platform work runs on, or None when it shares ``default``."""
    alias = getattr(settings, "TENANCY_PLATFORM_DATABASE", DEFAULT_DB_ALIAS)
    return None if alias == DEFAULT_DB_ALIAS else alias


class PlatformRouter:
    """Platform work to the platform role's alias, everything else to ``default``.

    Decided per query from the running code's scope, so a queryset built in one scope
    and run in another goes where its execution needs; an object read by the platform
    role and saved later in a tenant's scope is saved as the runtime role (every answer
    is explicit: Django would otherwise reuse the alias the object was read from).
    Transactions opened with ``transaction.atomic(using=router.db_for_write(model))``,
    as the admin's are, follow; a plain ``transaction.atomic()`` is the default
    connection's and does not cover platform work, which otherwise runs in autocommit.
    Inside :func:`as_platform_role` the default connection holds the platform's rights
    itself, and everything stays on it.
    """

    def _route(self) -> str | None:
        alias = platform_alias()
        if alias is None:
            return None
        if needs_platform_role() and not current_scope().platform_rights_on_default:
            return alias
        return DEFAULT_DB_ALIAS

    def db_for_read(self, model, **hints) -> str | None:
        return self._route()

    def db_for_write(self, model, **hints) -> str | None:
        return self._route()

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # Two connections to one database: objects read through either may be related.
        aliases = {DEFAULT_DB_ALIAS, platform_alias()}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # The schema is the owner's, migrated through ``default``.
        return False if db == PLATFORM_DB_ALIAS else None


@contextmanager
def as_platform_role(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block on ``alias`` connected as the platform role: a platform command's
    work (``seed_demo``) on one connection, so its transaction stays one transaction,
    whatever scopes it enters. With no platform role configured, ``alias`` keeps its own
    role (SQLite, one role for everything)."""
    platform = settings.DATABASES.get(platform_alias()) if platform_alias() else None
    with connected_as(alias, platform), with_platform_rights_on_default():
        yield


@contextmanager
def as_database_owner(alias: str = "default") -> Iterator[None]:
    """Connect ``alias`` with the owner's credentials (``DATABASE_MIGRATE_URL``) for the
    block, e.g. to migrate; the same database, another role. A no-op when unset."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    with connected_as(alias, owner):
        yield


@contextmanager
def connected_as(alias: str, credentials: dict | None) -> Iterator[None]:
    """Connect ``alias`` with ``credentials`` (a DATABASES entry) for the block; the same
    database, another role. A no-op when None or already so."""
    connection = connections[alias]
    keys = ("USER", "PASSWORD", "HOST", "PORT")
    saved = {key: connection.settings_dict.get(key) for key in keys}
    wanted = {key: credentials.get(key) for key in keys} if credentials else saved
    if wanted == saved:
        yield
        return
    connection.close()
    connection.settings_dict.update(wanted)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
