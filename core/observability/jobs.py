"""Celery tasks carry the request id of the work that enqueued them, as they carry its
tenant (``core.tenancy``'s task headers): in the message's headers, read by the worker
into the task's context, so its log lines and SQL comments name the request that asked
for it and the task as their route."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun

from . import context

logger = logging.getLogger("nbne.tasks")
TASK_REQUEST_ID_HEADER = "observability_request_id"
_TOKENS: dict[str, tuple[Any, float]] = {}


def add_request_id(sender: Any = None, headers: dict | None = None, **kwargs: Any) -> None:
    """before_task_publish: the enqueuing work's request id goes with the message."""
    request_id = context.current().request_id
    if request_id and headers is not None:
        headers.setdefault(TASK_REQUEST_ID_HEADER, request_id)


def task_request_id(task: Any) -> str | None:
    """The request id a task's message carries (a worker hands custom headers over as
    request attributes; an eager run keeps them in ``request.headers``)."""
    request = task.request
    value = request.get(TASK_REQUEST_ID_HEADER) or (getattr(request, "headers", None) or {}).get(TASK_REQUEST_ID_HEADER)
    return context.trusted_request_id(value)


def bind_task(sender: Any = None, task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    """task_prerun: the task's context, until task_postrun. An eager task (no broker) runs
    inside the request that enqueued it and keeps its id."""
    request_id = task_request_id(task) or context.current().request_id or context.new_request_id()
    token = context._context.set(context.WorkContext(request_id=request_id, route=f"task:{task.name}"))
    _TOKENS[task_id or ""] = (token, time.perf_counter())


def unbind_task(sender: Any = None, task_id: str | None = None, task: Any = None, state: str = "", **kwargs: Any):
    """task_postrun: the task's line, and the context before it back."""
    token, started = _TOKENS.pop(task_id or "", (None, time.perf_counter()))
    logger.info(
        "task %s %s %.1fms",
        task.name,
        state,
        (time.perf_counter() - started) * 1000,
        extra={"task": task.name, "task_id": task_id, "state": state},
    )
    if token is not None:
        context._context.reset(token)


def connect() -> None:
    before_task_publish.connect(add_request_id, dispatch_uid="observability_request_id")
    task_prerun.connect(bind_task, dispatch_uid="observability_task_bind")
    task_postrun.connect(unbind_task, dispatch_uid="observability_task_unbind")
