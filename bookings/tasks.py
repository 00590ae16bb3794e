"""The bookings app's background jobs: its e-mails, sent after the write that caused
them commits. Each tenant task runs in the business's scope (``get_current_tenant()``),
which travels with the message; arguments are ids, read again when the task runs."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

from bookings import emails
from bookings.selectors import businesses_at_reminder_hour
from core.mail import MAIL_TASK_RETRIES
from core.tenancy import get_current_tenant, platform_task, tenant_context, tenant_task

log = logging.getLogger(__name__)


@tenant_task(bind=True, **MAIL_TASK_RETRIES)
def booking_confirmation_send(self, booking_id: int) -> bool:
    return emails.booking_confirmation_send(tenant=get_current_tenant(), booking_id=booking_id)


@tenant_task(bind=True, **MAIL_TASK_RETRIES)
def booking_new_online_send(self, booking_id: int) -> int:
    return emails.booking_new_online_send(tenant=get_current_tenant(), booking_id=booking_id)


@tenant_task(bind=True, **MAIL_TASK_RETRIES)
def booking_moved_send(self, booking_id: int) -> bool:
    return emails.booking_moved_send(tenant=get_current_tenant(), booking_id=booking_id)


@tenant_task(bind=True, **MAIL_TASK_RETRIES)
def booking_cancellation_send(self, booking_id: int) -> bool:
    return emails.booking_cancellation_send(tenant=get_current_tenant(), booking_id=booking_id)


@tenant_task(bind=True, **MAIL_TASK_RETRIES)
def booking_reminders_send(self) -> int:
    return emails.booking_reminders_send(tenant=get_current_tenant())


@platform_task(reason="hourly sweep: day-before booking reminders of each business at its reminder hour")
def booking_reminders_sweep() -> int:
    """For beat, hourly: each active business whose local time is its reminder hour
    (``BOOKING_REMINDER_HOUR``) gets its reminders sent, by a task in its own scope."""
    due = businesses_at_reminder_hour(now=timezone.now(), hour=settings.BOOKING_REMINDER_HOUR)
    for tenant in due:
        with tenant_context(tenant):
            booking_reminders_send.delay()
    log.info("booking reminders enqueued for %d businesses", len(due))
    return len(due)
