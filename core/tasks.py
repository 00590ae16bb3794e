"""Core's background jobs: a business's export archive (``core.lifecycle.jobs``), its
e-mail, and the daily sweep of expired archives. Each tenant task runs in the business's
scope (``get_current_tenant()``), which travels with the message; arguments are ids."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.utils import timezone

from core.lifecycle import jobs
from core.mail import MAIL_TASK_RETRIES
from core.tenancy import get_current_tenant, platform_task, tenant_context, tenant_task
from core.usage import usage_snapshot

log = logging.getLogger(__name__)


# Not retried: a failed export is marked failed and its owner asks again; a redelivered
# message (a worker lost mid-build) builds it again, and one of a ready export nothing.
@tenant_task
def tenant_export_build(export_id: int) -> str | None:
    export = jobs.tenant_export_build(tenant=get_current_tenant(), export_id=export_id)
    return export.status if export is not None else None


@tenant_task(**MAIL_TASK_RETRIES)
def tenant_export_ready_send(export_id: int) -> bool:
    return jobs.tenant_export_ready_email(tenant=get_current_tenant(), export_id=export_id)


@tenant_task
def tenant_exports_expire() -> int:
    return jobs.tenant_exports_expire(tenant=get_current_tenant(), now=timezone.now())


@platform_task(reason="daily sweep: expired or lost export archives of each business")
def tenant_exports_sweep() -> int:
    """For beat, daily: each business with an archive past ``TENANT_EXPORT_DAYS`` (or an
    export that was lost) gets them tidied by a task in its own scope."""
    due = jobs.businesses_with_exports_to_tidy(now=timezone.now())
    for tenant in due:
        with tenant_context(tenant):
            tenant_exports_expire.delay()
    log.info("export expiry enqueued for %d businesses", len(due))
    return len(due)


@platform_task(reason="daily usage figures of each business: rows, file bytes, requests")
def tenant_usage_snapshot(day: str | None = None) -> int:
    """For beat, just after midnight UTC: yesterday's usage of every business (``day``,
    an ISO date, to write another day's again)."""
    when = date.fromisoformat(day) if day else timezone.now().date() - timedelta(days=1)
    written = usage_snapshot(day=when)
    log.info("usage of %s written for %d businesses", when, written)
    return written
