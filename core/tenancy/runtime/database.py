"""The tenant of each transaction, told to PostgreSQL before its queries run.

:class:`DatabaseScopeSync` sets ``app.tenant_id`` and its proof with
``set_config(..., true)`` inside the transaction that runs the query, from the tenant in
scope: nothing survives the transaction on a persistent or pooled connection (PgBouncer
in transaction mode included), and nothing set means no rows.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from psycopg.pq import TransactionStatus

from ..proofs import PROOF_SETTING, TENANT_SETTING, TRANSACTION_TOKEN_SQL, scope_proof
from ..scope import current_scope, database_tenant_id

NO_TENANT = ""
_UNKNOWN = "?"
SET_SCOPE_SQL = f"SELECT set_config('{TENANT_SETTING}', %s, true), set_config('{PROOF_SETTING}', %s, true)"
# With the business's statement timeout, in the same round trip (runtime.governance).
SET_SCOPE_AND_TIMEOUT_SQL = f"{SET_SCOPE_SQL}, set_config('statement_timeout', %s, true)"
TRANSACTION_TOKEN_QUERY = f"SELECT {TRANSACTION_TOKEN_SQL}"
_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")


class DatabaseScopeSync:
    """An execute wrapper that tells PostgreSQL the tenant in scope before a query runs.

    The settings are transaction-local, so they are written once per transaction (and
    again only when the scope changes inside it). A tenant comes with its proof, bound
    to the transaction: the transaction's token is read first, so a transaction with a
    tenant costs two round trips before its first query. A query run outside a
    transaction with a scope gets a transaction of its own, because a setting made in
    autocommit would not outlive the ``set_config`` statement itself.
    """

    def __call__(self, execute, sql, params, many, context):
        connection = context["connection"]
        statement = sql.lstrip()[:9].upper()
        status = connection.connection.info.transaction_status
        if status == TransactionStatus.IDLE:
            # A new transaction starts clean, also when its first statement is a
            # SAVEPOINT (an atomic block nested at once in another).
            connection.tenancy_synced_scope = NO_TENANT
            connection.tenancy_transaction_token = None
        if statement.startswith(_TRANSACTION_CONTROL):
            result = execute(sql, params, many, context)
            if statement.startswith("ROLLBACK"):
                connection.tenancy_synced_scope = _UNKNOWN  # a savepoint rollback undoes settings
            return result
        wanted = _wanted_scope()
        if status == TransactionStatus.INERROR:
            return execute(sql, params, many, context)
        if _in_sync(wanted, getattr(connection, "tenancy_synced_scope", _UNKNOWN)):
            return execute(sql, params, many, context)
        if connection.get_autocommit():
            with transaction.atomic(using=connection.alias):
                self.write_scope(connection, wanted)
                return execute(sql, params, many, context)
        self.write_scope(connection, wanted)
        return execute(sql, params, many, context)

    @staticmethod
    def write_scope(connection, wanted: str) -> None:
        tenant_id, _, timeout = wanted.partition(_TIMEOUT_SEPARATOR)
        with connection.connection.cursor() as cursor:
            proof = ""
            if tenant_id:
                token = getattr(connection, "tenancy_transaction_token", None)
                if token is None:
                    cursor.execute(TRANSACTION_TOKEN_QUERY)
                    token = connection.tenancy_transaction_token = cursor.fetchone()[0]
                proof = scope_proof(tenant_id, token)
            if timeout:
                cursor.execute(SET_SCOPE_AND_TIMEOUT_SQL, [tenant_id, proof, f"{timeout}ms"])
            else:
                cursor.execute(SET_SCOPE_SQL, [tenant_id, proof])
        connection.tenancy_synced_scope = wanted


_TIMEOUT_SEPARATOR = "/"


def _in_sync(wanted: str, synced: str) -> bool:
    """Whether the transaction was told what ``wanted`` needs. A statement timeout told
    for the tenant stays for the rest of its transaction (the commit's own writes
    included): the tenant wanted without one is in sync with it, and costs no round trip."""
    if wanted == synced:
        return True
    return bool(wanted) and _TIMEOUT_SEPARATOR not in wanted and synced.partition(_TIMEOUT_SEPARATOR)[0] == wanted


def _wanted_scope() -> str:
    """What the transaction must be told: the tenant id, and with a tenant the business's
    statement timeout when its request has one (``"12/30000"``)."""
    tenant_id = database_tenant_id()
    timeout = current_scope().statement_timeout_ms
    return f"{tenant_id}{_TIMEOUT_SEPARATOR}{timeout}" if tenant_id and timeout else tenant_id


database_scope_sync = DatabaseScopeSync()


def install_scope_sync(sender, connection, **kwargs: Any) -> None:
    """connection_created receiver: every PostgreSQL connection syncs the tenant scope."""
    if connection.vendor == "postgresql" and database_scope_sync not in connection.execute_wrappers:
        connection.execute_wrappers.append(database_scope_sync)
