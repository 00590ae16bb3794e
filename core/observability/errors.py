"""Sentry, when ``SENTRY_DSN`` is set: every event tagged with its business and request
id, nothing personal sent by default, and every secret scrubbed before it leaves."""

from __future__ import annotations

from typing import Any

from . import context
from .logs import _DROPPED_FIELDS, REDACTED, _current_tenant, redact

# Headers and cookies never sent, whatever their value looks like.
_SECRET_HEADERS = frozenset({"authorization", "cookie", "x-csrftoken", "proxy-authorization", "set-cookie"})


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {
            key: REDACTED if str(key).lower() in _SECRET_HEADERS or key in _DROPPED_FIELDS else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    """Tag the event with the running work's business and request id (unless its sender
    named them), then scrub it: request bodies and cookies go, every string is redacted."""
    tags = event.setdefault("tags", {})
    work = context.current()
    tenant = _current_tenant()
    if tenant is not None:
        tags.setdefault("tenant_id", str(tenant.pk))
        tags.setdefault("tenant_slug", tenant.slug)
    if work.request_id:
        tags.setdefault("request_id", work.request_id)
    if work.route:
        tags.setdefault("route", work.route)
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
    return _scrub(event)


def sentry_init(dsn: str, *, environment: str, release: str, traces_sample_rate: float) -> None:
    """Start Sentry for this process (web, worker, commands alike: settings call it)."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import ignore_logger

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=before_send,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
    # The alert of repeated attempts is sent by its own event, tagged with both businesses.
    ignore_logger("nbne.security.alert")
