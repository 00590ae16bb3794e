"""The contract between the application and the database's row-level security: the
settings a transaction names its tenant by, what a proof is bound to, and the proof.

The policies (``migration``) call :data:`SCOPE_FUNCTION`, which returns
``app.tenant_id`` only when ``app.tenant_proof`` is that id's HMAC bound to the running
transaction, under a key the runtime role cannot read; the application
(``runtime.database``) writes both settings in every transaction with a tenant in scope,
and ``migrate`` stores the key (``migration.grants``).
"""

from __future__ import annotations

import hashlib
import hmac

from django.utils.crypto import salted_hmac

TENANT_SETTING = "app.tenant_id"
PROOF_SETTING = "app.tenant_proof"
POLICY = "tenancy_isolation"
# The read-only user lookup policy of earlier versions (a setting showed every user);
# dropped wherever policies are written: that lookup is the platform role's now.
LEGACY_AUTH_POLICY = "tenancy_authentication"

# The proof's key lives in a schema of the owner's that no other role may use; the
# function the policies call reads it with the owner's rights (SECURITY DEFINER).
PRIVATE_SCHEMA = "tenancy_private"
SCOPE_KEY_TABLE = f"{PRIVATE_SCHEMA}.scope_key"
SCOPE_FUNCTION = "tenancy_scope_tenant"
# What a proof is bound to: the server process and the start of the running
# transaction, in microseconds. PostgreSQL assigns both; they hold for every statement
# of one transaction (behind PgBouncer in transaction mode too, which keeps a
# transaction on one server connection) and never recur, so a proof seen in another
# connection's query text is worth nothing in any other transaction.
TRANSACTION_TOKEN_SQL = (
    "pg_backend_pid()::text || ':' || (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text"
)
# In a sub-SELECT, so PostgreSQL evaluates it once per statement (an InitPlan) and the
# (tenant_id, ...) indexes serve the comparison.
CURRENT_TENANT_SQL = f"(SELECT {SCOPE_FUNCTION}())"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def constraint_name(table: str, suffix: str) -> str:
    """A constraint name within PostgreSQL's 63 bytes, still unique when shortened."""
    name = f"{table}_{suffix}"
    if len(name) <= 63:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: 63 - 9]}_{digest}"


_HMAC_BLOCK = 64  # SHA-256's block size


def scope_key(secret: str | None = None) -> bytes:
    """The key of the tenant proofs, derived from ``DJANGO_SECRET_KEY`` (or ``secret``):
    the application computes proofs with it, ``migrate`` stores it where only the owner
    reads it. (The salt keeps the name of the module the key was first made in:
    another salt would be another key, refused by every migrated database.)"""
    return salted_hmac("core.tenancy.rls.scope_key", "tenant proofs", secret=secret, algorithm="sha256").digest()


def scope_key_pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys, as the database function uses them."""
    padded = key.ljust(_HMAC_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)


def scope_proof(tenant_id: str, transaction_token: str, key: bytes | None = None) -> str:
    """What ``app.tenant_proof`` must be for ``tenant_id`` in the transaction whose
    token (:data:`TRANSACTION_TOKEN_SQL`) is ``transaction_token``."""
    message = f"{tenant_id}:{transaction_token}".encode()
    return hmac.new(key if key is not None else scope_key(), message, hashlib.sha256).hexdigest()
