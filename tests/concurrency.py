"""Another request, meanwhile: work run on a second database connection, at a chosen
moment of the request under test, and committed before that request goes on."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import requests
from django.db import connection, connections, transaction
from django.dispatch import Signal

from core.models import TenantSettings
from core.tenancy import tenant_context
from tests.plugin import bearer

T = TypeVar("T")


def in_another_connection(tenant: TenantSettings, work: Callable[[], T]) -> T | BaseException:
    """Run ``work`` in ``tenant``'s scope and one transaction of its own, in another thread
    (so on another connection), and wait for it: its result, or what it raised."""
    outcome: list[T | BaseException] = []

    def run() -> None:
        try:
            with tenant_context(tenant), transaction.atomic():
                outcome.append(work())
        except BaseException as exc:  # handed to the test, which decides what it means
            outcome.append(exc)
        finally:
            connection.close()

    other = threading.Thread(target=run)
    other.start()
    other.join()
    return outcome[0]


@contextmanager
def receiving(signal: Signal, receiver: Callable[..., None], sender: type) -> Iterator[None]:
    """``receiver`` connected to ``signal`` of ``sender`` for the block only."""
    signal.connect(receiver, sender=sender)
    try:
        yield
    finally:
        signal.disconnect(receiver, sender=sender)


def at_once(calls: Sequence[Callable[[], T]], *, timeout: float = 60) -> list[T]:
    """Run every call in a thread of its own, released together by a barrier so they
    really overlap, and return their results in order (re-raising the first error).

    With the ``live_server`` fixture and ``requests`` these are real parallel HTTP
    requests, each served on its own thread and database connection."""
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], T]) -> T:
        barrier.wait(timeout)
        try:
            return call()
        finally:
            connections.close_all()  # a call that used the database leaves no connection behind

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(released, call) for call in calls]
        return [future.result(timeout) for future in futures]


def http_session(base_url: str, user=None, **headers: str) -> requests.Session:
    """A ``requests`` session for ``base_url`` (the live server), signed in as ``user``
    when given, sending ``headers`` (e.g. ``{"X-Tenant-Slug": "tenant-a"}``)."""
    session = requests.Session()
    # A connection per request: a kept-alive one shared between threads may be closed
    # by the test server just as another thread sends on it.
    session.headers["Connection"] = "close"
    if user is not None:
        headers = {"Authorization": bearer(user), **headers}
    session.headers.update(headers)
    original = session.request
    session.request = lambda method, url, *args, **kwargs: original(method, base_url + url, *args, **kwargs)
    return session
