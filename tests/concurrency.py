"""Another request, meanwhile: work run on a second database connection, at a chosen
moment of the request under test, and committed before that request goes on."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection, transaction
from django.dispatch import Signal

from core.models import TenantSettings
from core.tenancy.context import tenant_context

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
