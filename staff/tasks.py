"""The staff app's background jobs, in the business's scope (see bookings.tasks)."""

from __future__ import annotations

from core.mail import MAIL_TASK_RETRIES
from core.tenancy import get_current_tenant, tenant_task
from staff import emails


@tenant_task(bind=True, **MAIL_TASK_RETRIES)
def leave_decision_send(self, leave_id: int) -> bool:
    return emails.leave_decision_send(tenant=get_current_tenant(), leave_id=leave_id)
