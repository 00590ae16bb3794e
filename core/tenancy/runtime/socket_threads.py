"""The threads that run WebSockets' queries (``runtime.sockets``): few, long-lived, each
keeping its database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache as once
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

T = TypeVar("T")


@once
def _database_threads() -> ThreadPoolExecutor:
    """The threads that run the sockets' queries, each keeping its connection: a
    re-check every few seconds per socket must not open a connection each time (a
    request's thread closes its own, ``DB_CONN_MAX_AGE``; these are few and long-lived)."""
    return ThreadPoolExecutor(settings.WEBSOCKET_DATABASE_THREADS, thread_name_prefix="socket-db")


def socket_database_threads_stop() -> None:
    """Close the connections the socket threads keep, and the threads (tests, before the
    test database is dropped). Each thread closes its own: they wait for one another, so
    no thread runs two of the closes."""
    threads = _database_threads()
    everyone = threading.Barrier(settings.WEBSOCKET_DATABASE_THREADS)

    def close_mine() -> None:
        everyone.wait(10)
        connections.close_all()

    for future in [threads.submit(close_mine) for _ in range(settings.WEBSOCKET_DATABASE_THREADS)]:
        future.result(15)
    threads.shutdown()
    _database_threads.cache_clear()


def _usable_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and connection.errors_occurred and not connection.is_usable():
            connection.close()  # the server went away: the next query connects afresh


def in_thread(work: Callable[..., T]) -> Callable[..., Any]:
    """``work`` as a coroutine function run on one of these threads."""

    def run(*args: Any, **kwargs: Any) -> T:
        _usable_connections()
        return work(*args, **kwargs)

    return sync_to_async(run, thread_sensitive=False, executor=_database_threads())
