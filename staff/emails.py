"""What the staff app's e-mails say: a leave request's decision, to the person who asked."""

from __future__ import annotations

from core.mail import business_email_send
from core.models import TenantSettings
from staff.models import LeaveRequest


def leave_decision_send(*, tenant: TenantSettings, leave_id: int) -> bool:
    """Tell the staff member their leave was approved or rejected, once per decision."""
    leave = LeaveRequest.objects.filter(pk=leave_id).select_related("staff_profile__user").first()
    if leave is None or leave.status not in (LeaveRequest.Status.APPROVED, LeaveRequest.Status.REJECTED):
        return False
    user = leave.staff_profile.user
    decision = leave.get_status_display().lower()
    span = (
        f"on {leave.start_date:%A} {leave.start_date.day} {leave.start_date:%B %Y}"
        if leave.start_date == leave.end_date
        else f"from {leave.start_date.day} {leave.start_date:%B %Y} to {leave.end_date.day} {leave.end_date:%B %Y}"
    )
    return business_email_send(
        tenant=tenant,
        key=f"leave:{leave.pk}:{leave.status}",
        to=[user.email],
        subject=f"Your leave request at {tenant.name} is {decision}",
        template="leave_decided",
        context={
            "staff_name": leave.staff_profile.display_name,
            "leave_type": leave.get_type_display().lower(),
            "span": span,
            "decision": decision,
            "note": leave.decision_note,
        },
    )
