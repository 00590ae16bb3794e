"""A leave request's decision is e-mailed to the staff member, once, as their business."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from core.models import SentEmail
from core.tenancy import tenant_context
from staff import services, tasks
from staff.factories import LeaveRequestFactory, StaffProfileFactory
from tests.plugin import count_rows, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def leave(tenant_a, tenant_b):
    tenant_a.name, tenant_a.reply_to_email, tenant_a.primary_colour = "Salon X", "team@salon-x.example", "#123456"
    tenant_a.save()
    tenant_b.name = "Restaurant X"
    tenant_b.save()
    profile = StaffProfileFactory(tenant=tenant_a, user__first_name="Sam", user__last_name="Hart")
    return LeaveRequestFactory(staff_profile=profile)


@pytest.mark.parametrize(
    ("decide", "word"), [(services.leave_request_approve, "approved"), (services.leave_request_reject, "rejected")]
)
def test_the_decision_is_e_mailed_to_the_staff_member(tenant_a, manager_a, leave, sent, decide, word):
    with sent(), tenant_context(tenant_a):
        decide(leave=leave, decided_by=manager_a, note="Enjoy it" if word == "approved" else "Busy week")
    [message] = mail.outbox
    assert message.to == [leave.staff_profile.user.email]
    assert message.subject == f"Your leave request at Salon X is {word}"
    assert f"has been {word}" in message.body and "Note:" in message.body
    assert message.reply_to == ["team@salon-x.example"]
    assert "#123456" in message.alternatives[0][0]
    for part in (message.subject, message.body, message.alternatives[0][0], message.from_email):
        assert "Restaurant X" not in part and "tenant-b" not in part
    with tenant_context(tenant_a):
        assert list(SentEmail.objects.values_list("key", flat=True)) == [f"leave:{leave.pk}:{word}"]
        tasks.leave_decision_send.delay(leave.pk)  # a retried task sends nothing more
    assert len(mail.outbox) == 1


def test_a_decision_that_rolls_back_sends_nothing(tenant_a, manager_a, leave, sent):
    with sent(), tenant_context(tenant_a), pytest.raises(RuntimeError), transaction.atomic():
        services.leave_request_approve(leave=leave, decided_by=manager_a)
        raise RuntimeError("rolled back")
    assert mail.outbox == []
    assert count_rows(SentEmail) == 0
    assert fresh(leave).status == "pending"


def test_another_business_cannot_send_the_decision(tenant_a, tenant_b, manager_a, leave, sent):
    with sent(), tenant_context(tenant_a):
        services.leave_request_approve(leave=leave, decided_by=manager_a)
    mail.outbox.clear()
    with tenant_context(tenant_b):
        tasks.leave_decision_send.delay(leave.pk)
    assert mail.outbox == []
