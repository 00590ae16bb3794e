"""State transitions, decided once.

An action that moves a row from one state to another (approve a leave request, cancel a
booking, complete a payment) goes through :func:`transition` (or :func:`transition_lock`
when the new state depends on the row as it is now). Of concurrent requests moving the
same row, exactly one wins; the others are refused with the row's current state, and
only the winner's side effects happen, because the caller writes them after the
transition, in the same transaction, while the row is still locked.

How it is decided: the row is re-read with ``SELECT … FOR NO KEY UPDATE`` through the
tenant-scoped manager, then its state is checked and the change saved. A conditional
``UPDATE … WHERE status IN (…)`` would be one statement shorter, but:

* for a child model (a leave request, a timesheet entry) the tenant filter is a join,
  which Django compiles to ``UPDATE … WHERE id IN (SELECT … JOIN …)``; when PostgreSQL
  re-checks a row updated concurrently, it re-evaluates that subquery with the rows it
  read before waiting, so the old state still matches and both requests win;
* ``QuerySet.update()`` skips ``save()`` and ``post_save``, which some models rely on
  (the bookings dashboard's cache, a compliance item's derived status);
* the loser must say what the state is now, which the locked read gives it.

The lock is ``FOR NO KEY UPDATE`` (``no_key=True``): a transition changes no key, so rows
that refer to this one (a payment's transactions, a channel's messages) can still be
inserted meanwhile; two transitions of the row still wait for each other. ``of=self``
locks only this row, not the parent rows a child's tenant filter joins.

A request that finds the state changed since it read the row (another request won) gets
:class:`StateConflict`, answered 409 with ``current_state``, even if the new state would
allow its move too: it acted on what it saw, and the client decides again. A request
whose row was already, when it read it, in a state that never allows the move gets the
action's 400 (a ``ValidationError`` on ``error_key``), as before.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

Row = TypeVar("Row", bound=models.Model)
StateOf = str | Callable[[Any], str]


class StateConflict(Exception):
    """The row's state changed while the request was being handled: another request won.

    Answered 409 ``{"detail", "code": "state_conflict", "current_state"}`` by the API's
    exception handler.
    """

    code = "state_conflict"

    def __init__(self, *, current_state: str, detail: str) -> None:
        super().__init__(detail)
        self.current_state = current_state
        self.detail = detail


def transition_lock(
    *,
    row: Row,
    allowed: Collection[str],
    refused: str | Callable[[Row], str],
    state: StateOf = "status",
    error_key: str | None = None,
    describe: Callable[[str], str] | None = None,
) -> Row:
    """``row`` re-read under a row lock, if its state still allows the move; else refused.

    ``state`` names the field holding the state, or computes it from the row (a name such
    as ``"clocked_out"``). ``refused`` is the 400's message, with ``{state}`` for the
    state's label, or a function of the row. ``describe`` turns a state into a sentence
    for the 409 (default: "This <model> is <label>"). The row is refreshed in place and
    returned; the caller saves its changes and writes its side effects in the same
    transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "A state transition runs inside transaction.atomic(), with its side effects."
        )
    seen = _state_of(row, state)
    row.refresh_from_db(from_queryset=type(row).objects.select_for_update(of=("self",), no_key=True))
    current = _state_of(row, state)
    if current != seen:
        sentence = describe(current) if describe else f"This {row._meta.verbose_name} is {_label(row, state, current)}"
        raise StateConflict(
            current_state=current, detail=f"{sentence} now: it changed while your request was being handled."
        )
    if current not in allowed:
        message = refused(row) if callable(refused) else refused.format(state=_label(row, state, current))
        key = error_key or (state if isinstance(state, str) else "status")
        raise ValidationError({key: message})
    return row


def transition(
    *,
    row: Row,
    allowed: Collection[str],
    changes: Mapping[str, Any],
    refused: str | Callable[[Row], str],
    state: StateOf = "status",
    error_key: str | None = None,
    describe: Callable[[str], str] | None = None,
) -> Row:
    """Move ``row`` from one of the ``allowed`` states by saving ``changes`` (the new state
    among them), or refuse: see :func:`transition_lock`. Returns the row, saved."""
    row = transition_lock(
        row=row, allowed=allowed, refused=refused, state=state, error_key=error_key, describe=describe
    )
    for name, value in changes.items():
        setattr(row, name, value)
    touched = [f.name for f in row._meta.concrete_fields if getattr(f, "auto_now", False)]
    row.save(update_fields=[*changes, *touched])
    return row


def _state_of(row: models.Model, state: StateOf) -> str:
    return getattr(row, state) if isinstance(state, str) else state(row)


def _label(row: models.Model, state: StateOf, value: str) -> str:
    """How a sentence names the state: its choice's label, else its name in words."""
    if isinstance(state, str):
        choices = dict(row._meta.get_field(state).flatchoices)
        if value in choices:
            return str(choices[value]).lower()
    return str(value).replace("_", " ")
