"""Every statement tagged with its business, and the database's time counted per business.

:data:`sql_commenter` is a second execute wrapper, beside the tenancy's scope sync
(``core.tenancy``'s ``DatabaseScopeSync``), installed the same way (a
``connection_created`` receiver). On PostgreSQL it puts a comment in front of each
statement, in the style of sqlcommenter: ``/*request_id='…',route='booking-list',
tenant_id='12'*/ SELECT …`` — keys sorted, values URL-encoded (no quote, ``*`` or ``/``
survives, so no value can close the comment), built only from the tenant's id, the URL
pattern's name or task name and a request id of a checked form, never from input.
``pg_stat_activity`` then shows who is using the database. It is only text in the
statement, so it survives PgBouncer in transaction mode; it goes in front because
``pg_stat_activity`` cuts a long statement at ``track_activity_query_size``.

It must run inside the scope sync (installed after it), which reads the first word of
each statement to recognise ``SAVEPOINT``/``COMMIT``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from . import context, metrics


@dataclass
class DatabaseTime:
    seconds: float = 0.0
    statements: int = 0


_database_time: ContextVar[DatabaseTime | None] = ContextVar("observability_database_time", default=None)


@contextmanager
def database_time_counted() -> Iterator[DatabaseTime]:
    """Sum the database time of the block's statements (a request's, a task's)."""
    total = DatabaseTime()
    token = _database_time.set(total)
    try:
        yield total
    finally:
        _database_time.reset(token)


def _tenant() -> Any:
    from core.tenancy import get_current_tenant

    return get_current_tenant()


def sql_comment() -> str:
    """The comment for the running work's statements ("" when there is nothing to say)."""
    tenant, work = _tenant(), context.current()
    values = {"tenant_id": getattr(tenant, "pk", None), "route": work.route, "request_id": work.request_id}
    pairs = [f"{key}='{quote(str(value), safe='')}'" for key, value in sorted(values.items()) if value]
    return f"/*{','.join(pairs)}*/ " if pairs else ""


# Transaction control does no work of a business, and what reads statements by their
# first word (savepoint bookkeeping, query counts) must still recognise it.
_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")


class SqlCommenter:
    """The execute wrapper (see the module's docstring)."""

    def __call__(self, execute, sql, params, many, context_):
        started = time.perf_counter()
        if context_["connection"].vendor == "postgresql" and not sql.lstrip()[:9].upper().startswith(_CONTROL):
            comment = sql_comment()
            if comment and params is not None:
                comment = comment.replace("%", "%%")  # the driver formats %s when given params
            sql = comment + sql
        try:
            return execute(sql, params, many, context_)
        finally:
            elapsed = time.perf_counter() - started
            total = _database_time.get()
            if total is not None:
                total.seconds += elapsed
                total.statements += 1
            else:  # a command or a socket's query: counted as it runs
                metrics.observe_database(getattr(_tenant(), "slug", None), elapsed, 1)


sql_commenter = SqlCommenter()


def install_sql_commenter(sender, connection, **kwargs: Any) -> None:
    """connection_created receiver: the commenter runs innermost, after the scope sync."""
    if sql_commenter in connection.execute_wrappers:
        connection.execute_wrappers.remove(sql_commenter)
    connection.execute_wrappers.append(sql_commenter)
