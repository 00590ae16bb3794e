"""The request id, route and user of the running work (a request, a task, a socket),
in one ContextVar: set on the way in, reset in ``finally``, copied into the threads
``sync_to_async`` starts, so no other work ever reports under it."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

REQUEST_ID_HEADER = "X-Request-ID"
# An id the platform's own proxy sends is believed only in this form: letters, digits,
# dots, dashes and underscores, 8 to 64 of them (a UUID, hex or ULID fits). Anything else
# (longer, other characters, from a peer that is not a trusted proxy) is replaced by a
# fresh id, so a visitor cannot write into the logs through it or forge another's id.
TRUSTED_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")


@dataclass(frozen=True)
class WorkContext:
    request_id: str = ""
    # The URL pattern's name (or pattern), the task's name or the socket's route: never
    # the raw path, which carries ids and query strings.
    route: str = ""
    user_id: int | None = None
    # The request being served, read for its user once something has authenticated it.
    request: Any = None


_context: ContextVar[WorkContext] = ContextVar("observability_context", default=WorkContext())  # noqa: B039  (frozen)


def current() -> WorkContext:
    return _context.get()


@contextmanager
def bound(**values: Any) -> Iterator[WorkContext]:
    """Run the block with the context changed as given; the one before comes back after."""
    token = _context.set(dataclasses.replace(_context.get(), **values))
    try:
        yield _context.get()
    finally:
        _context.reset(token)


def update(**values: Any) -> None:
    """Change the context of the enclosing :func:`bound` block (its reset undoes this)."""
    _context.set(dataclasses.replace(_context.get(), **values))


def new_request_id() -> str:
    return uuid.uuid4().hex


def trusted_request_id(value: str | None) -> str | None:
    """``value`` when it has the form of a request id, else None."""
    if value and TRUSTED_REQUEST_ID.fullmatch(value):
        return value
    return None
