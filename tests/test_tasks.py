"""Tenant-bound background tasks, run eagerly: the tenant travels from the scope at
enqueue time in the message's headers, the task runs in that scope and leaves it, a
task with no tenant is refused when it is enqueued, and nothing is sent for a write
that rolls back. (The real worker's suite is tests/test_worker.py.)"""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from bookings.factories import ServiceFactory
from core.tenancy import (
    TASK_TENANT_HEADER,
    TenantScopeError,
    check_task_declarations,
    get_current_tenant,
    project_tasks,
    tenant_context,
)
from tests.job_probes import count_every_service, record_scope
from tests.plugin import update_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(tenant_a, tenant_b):
    ServiceFactory(tenant=tenant_a, name="Alpha Haircut")
    ServiceFactory(tenant=tenant_b, name="Bravo Massage")


def test_a_task_runs_in_the_scope_it_was_enqueued_in_and_leaves_it(catalogue, tenant_a, tenant_b):
    with tenant_context(tenant_a):
        seen_a = record_scope.delay("a").get()
    with tenant_context(tenant_b):
        seen_b = record_scope.delay("b").get()
    assert (seen_a["tenant"], seen_a["services"]) == (tenant_a.pk, ["Alpha Haircut"])
    assert (seen_b["tenant"], seen_b["services"]) == (tenant_b.pk, ["Bravo Massage"])
    assert get_current_tenant() is None


def test_a_task_enqueued_with_no_tenant_in_scope_is_refused_at_once():
    with pytest.raises(TenantScopeError, match="no tenant in scope"):
        record_scope.delay("nobody")
    with pytest.raises(TenantScopeError):
        record_scope.delay_on_commit("nobody")


def test_a_caller_cannot_name_the_tenant_of_a_task(tenant_a, tenant_b):
    with tenant_context(tenant_a), pytest.raises(TenantScopeError, match="comes from the scope"):
        record_scope.apply_async(("forged",), headers={TASK_TENANT_HEADER: tenant_b.pk})


def test_a_task_is_sent_when_its_transaction_commits_in_the_scope_it_was_enqueued_in(
    catalogue, tenant_a, django_capture_on_commit_callbacks, monkeypatch
):
    ran = []
    monkeypatch.setattr("tests.job_probes.scope_report", lambda marker: ran.append((marker, get_current_tenant())))
    # The callbacks run when the block ends, after the scope was left: as in a request,
    # whose transaction commits once its view has returned.
    with django_capture_on_commit_callbacks(execute=True) as sent:
        with tenant_context(tenant_a):
            record_scope.delay_on_commit("kept")
        assert ran == []  # not before the commit
    assert len(sent) == 1
    assert ran == [("kept", tenant_a)]


def test_nothing_is_sent_for_a_write_that_rolls_back(tenant_a, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as sent,
        pytest.raises(RuntimeError),
        transaction.atomic(),
        tenant_context(tenant_a),
    ):
        record_scope.delay_on_commit("rolled back")
        raise RuntimeError("the write fails")
    assert sent == []


def test_a_task_of_an_inactive_business_is_dropped_with_a_log_line(tenant_a, caplog):
    with tenant_context(tenant_a):
        result = record_scope.apply_async(("queued before",), headers={})
    assert result.get()["tenant"] == tenant_a.pk
    update_rows(type(tenant_a), {"pk": tenant_a.pk}, is_active=False)
    with caplog.at_level(logging.WARNING), tenant_context(tenant_a):
        assert record_scope.delay("queued after").get() is None
    assert "the business is inactive" in caplog.text


def test_a_platform_task_runs_under_the_audited_bypass(catalogue, caplog):
    with caplog.at_level(logging.INFO, logger="nbne.tenancy.audit"):
        assert count_every_service.delay().get() == 2
    assert "task tests.job_probes.count_every_service: test: count every business's services" in caplog.text


def test_every_task_of_the_project_declares_its_tenancy():
    assert check_task_declarations() == []
    assert all(hasattr(task, "tenancy") for task in project_tasks())
