"""Every cross-tenant attempt counted, recorded for operators, and alerted on when one
pair of businesses sees too many.

The tenancy core announces each attempt (``core.tenancy.cross_tenant_attempt``, sent by
``audit_refusal`` with its kind). Here, at once: the Prometheus counter and the running
request's id, route and address. After the response (the request's own transaction
rolls back on a refusal, and the client's answer must not wait on this): the record,
written as the platform role, then the alert check. A failure is logged, never raised.

The alert: when ``SECURITY_EVENTS_THRESHOLD`` attempts from one business (or from no
business) into another have been recorded within ``SECURITY_EVENTS_WINDOW_SECONDS``, an
ERROR line names both, and Sentry gets one event — once per window per pair (a cache
``add``, atomic in Redis, holds the pair's silence for the window).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

import sentry_sdk
from django.conf import settings
from django.core.cache import cache
from django.db import router, transaction
from django.utils import timezone

from core.network import client_address

from . import context, metrics

logger = logging.getLogger(__name__)
alert_log = logging.getLogger("nbne.security.alert")


def on_cross_tenant_attempt(sender: Any, *, kind: str, reason: str, **attempt: Any) -> None:
    """``cross_tenant_attempt`` receiver (see the module's docstring)."""
    metrics.CROSS_TENANT_ATTEMPTS.labels(kind=kind).inc()
    work = context.current()
    request = work.request
    record = {
        "kind": kind,
        "reason": reason[:60],
        "user_id": attempt.get("user_id"),
        "address": client_address(request)[:45] if request is not None else "",
        "route": (work.route or "")[:200],
        "request_id": work.request_id,
        **_business("business", attempt.get("requested_tenant")),
        **_business("user_business", attempt.get("user_tenant")),
    }
    from core.tenancy import after_response

    after_response(partial(_record_safely, record))


def _business(prefix: str, tenant: Any) -> dict[str, Any]:
    if tenant is None:
        return {f"{prefix}_id": None, f"{prefix}_slug": ""}
    return {f"{prefix}_id": getattr(tenant, "pk", None), f"{prefix}_slug": str(getattr(tenant, "slug", tenant))[:63]}


def _record_safely(record: dict[str, Any]) -> None:
    try:
        security_event_record(record)
    except Exception:  # the attempt is refused and logged already; the record is extra
        logger.exception("security event not recorded kind=%s reason=%s", record["kind"], record["reason"])


def security_event_record(record: dict[str, Any]) -> None:
    """Write one attempt (as the platform role) and alert on its pair when due."""
    from core.models import SecurityEvent, TenantSettings
    from core.tenancy import unscoped_all_tenants

    reason = f"security event: {record['kind']}"
    with unscoped_all_tenants(reason), transaction.atomic(using=router.db_for_write(SecurityEvent)):
        for prefix in ("business", "user_business"):
            slug = record[f"{prefix}_slug"]
            if slug and record[f"{prefix}_id"] is None:  # named by slug only
                record[f"{prefix}_id"] = TenantSettings.objects.filter(slug=slug).values_list("pk", flat=True).first()
        event = SecurityEvent.objects.create(**record)
        since = event.created_at - timedelta(seconds=settings.SECURITY_EVENTS_WINDOW_SECONDS)
        count = SecurityEvent.objects.filter(
            user_business_slug=event.user_business_slug, business_slug=event.business_slug, created_at__gt=since
        ).count()
    if count >= settings.SECURITY_EVENTS_THRESHOLD:
        _alert_once(event, count)


def _alert_once(event: Any, count: int) -> None:
    source, target = event.user_business_slug or "(none)", event.business_slug or "(unknown)"
    # A platform key, not a business's: the pair is the subject, not one tenant.
    key = f"security-alert:{source}:{target}"
    if not cache.add(key, timezone.now().isoformat(), timeout=settings.SECURITY_EVENTS_WINDOW_SECONDS):
        return
    window = settings.SECURITY_EVENTS_WINDOW_SECONDS
    alert_log.error(
        "cross-tenant attempts from %s into %s: %s within %ss (last: %s)",
        source,
        target,
        count,
        window,
        event.kind,
        extra={
            "source_business": source,
            "target_business": target,
            "attempts": count,
            "window_seconds": window,
            "kind": event.kind,
        },
    )
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("source_business", source)
        scope.set_tag("target_business", target)
        scope.set_tag("tenant_slug", target)
        scope.set_tag("kind", event.kind)
        if event.request_id:
            scope.set_tag("request_id", event.request_id)
        sentry_sdk.capture_message(
            f"Cross-tenant attempts from {source} into {target}: {count} within {window}s", level="error"
        )
