"""Log lines: JSON (one object a line) or plain text, each with the work's context, and
never a secret.

Every record passes :class:`ContextFilter`, which adds ``request_id``, ``tenant_id``,
``tenant_slug``, ``user_id`` and ``route`` from the running work; both formatters pass
the finished line through :func:`redact`, so a secret is caught whether it came in the
message, its arguments, an ``extra`` field or a traceback.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.utils.functional import SimpleLazyObject, empty
from pythonjsonlogger.json import JsonFormatter

from . import context

REDACTED = "[redacted]"
# Names whose values are secrets, as `name=value`, `name: value` or `"name": "value"`
# (query strings, headers, reprs of dicts, JSON bodies).
_SECRET_NAMES = (
    r"password\d?|new_password|passwd|secret|token|access|refresh|ticket|api[_-]?key|"
    r"authorization|cookie|sessionid|csrftoken|csrfmiddlewaretoken|signature|dsn"
)
_PATTERNS = (
    # name=value / name: value / "name": "value" (the name ending a longer word counts:
    # access_token, X-Api-Key, refresh_token).
    (
        re.compile(
            rf"""(?i)([\w-]*(?:{_SECRET_NAMES})["']?\s*[:=]\s*(?:Bearer\s+|Basic\s+)?["']?)([^"'\s&,;)}}\]]+)"""
        ),
        rf"\g<1>{REDACTED}",
    ),
    # A bearer or basic credential wherever it appears.
    (re.compile(r"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\g<1> {REDACTED}"),
    # A JWT wherever it appears (three base64url parts, the first a JSON header).
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), REDACTED),
    # Credentials in a URL: scheme://user:password@host.
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@"), rf"\g<1>{REDACTED}@"),
)


def redact(text: str) -> str:
    """``text`` with every secret the patterns know replaced by ``[redacted]``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


# Extra fields never written: a task's arguments (Celery logs them with each task's
# outcome), which carry e-mailed tokens and other values no pattern recognises.
_DROPPED_FIELDS = frozenset({"args", "kwargs", "argsrepr", "kwargsrepr"})


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: REDACTED if key in _DROPPED_FIELDS else _redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(item) for item in value]
    return value


def user_id_of(request: Any) -> int | None:
    """The signed-in user of a request, once something has looked (never a query here):
    DRF's authenticated user, or the session's, when it has been loaded."""
    user = getattr(request, "__dict__", {}).get("user")
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def _current_tenant() -> Any:
    from django.apps import apps

    if not apps.ready:  # a server's master process logs before Django is set up
        return None
    from core.tenancy import get_current_tenant  # not at import: settings load this module

    return get_current_tenant()


class ContextFilter(logging.Filter):
    """Adds the running work's context to every record (a filter of the handlers, so it
    sees the records of every logger, the libraries' too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        work = context.current()
        if getattr(record, "tenant_id", None) is None:  # an ``extra`` may name it already
            tenant = _current_tenant()
            record.tenant_id = getattr(tenant, "pk", None)
            record.tenant_slug = getattr(tenant, "slug", None)
        if getattr(record, "user_id", None) is None:
            record.user_id = work.user_id if work.user_id is not None else user_id_of(work.request)
        record.request_id = getattr(record, "request_id", None) or work.request_id or None
        record.route = getattr(record, "route", None) or work.route or None
        return True


class JsonLineFormatter(JsonFormatter):
    """One JSON object a line: time, level, logger, message, the context, any ``extra``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger", "asctime": "time"})
        kwargs.setdefault("timestamp", False)
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", *args, **kwargs)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: _redact_value(value) for key, value in log_data.items() if value is not None}


class PlainFormatter(logging.Formatter):
    """The human-readable line of a local run, with the request id and business."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s %(tenant_slug)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        for name in ("request_id", "tenant_slug"):
            if getattr(record, name, None) is None:
                setattr(record, name, "-")
        return redact(super().format(record))


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The ``LOGGING`` setting: every process (web, worker, beat, commands) logs to
    stderr through one handler, in ``log_format`` ("json" or "plain")."""
    formatter = "json" if log_format == "json" else "plain"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "core.observability.logs.ContextFilter"}},
        "formatters": {
            "json": {"()": "core.observability.logs.JsonLineFormatter"},
            "plain": {"()": "core.observability.logs.PlainFormatter"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": formatter, "filters": ["context"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # The access line is ours (core.observability.middleware), with the route and
            # not the raw path: a server's own line would carry query strings (tickets).
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            "gunicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            # Django logs 4xx/5xx with the raw path; the access line says it, redacted.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
        },
    }
