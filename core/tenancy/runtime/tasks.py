"""Background jobs bound to one tenant, failing closed (Celery).

Every task of the project is declared for a tenant or for the platform, as views and
models are (``manage.py check``, tenancy.E016, refuses a task that declares neither):

* :func:`tenant_task` — work of one business. The tenant is the scope at enqueue time,
  carried in the message's headers (:data:`TASK_TENANT_HEADER`), never in the arguments, so
  no input can name another business; enqueuing with no tenant in scope raises. The
  worker loads the tenant, drops the message with a log line when the business is gone
  or inactive (a retry would not bring it back), and runs the task in its scope — with
  the database told the tenant, as the runtime role — then leaves the scope, so the
  next task on the same worker thread starts with none.
* :func:`platform_task` — work across businesses (sweeps that enqueue one tenant task
  per business), run only under the audited bypass with its declared reason.

``delay_on_commit`` / ``apply_async_on_commit`` send once the running transaction
commits (never if it rolls back), in the tenant's scope captured when they are called;
a broker that is down then is logged, never turned into an error of the committed write.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import transaction

from ..declarations import Tenant, tenant_model
from ..scope import TenantScopeError, get_current_tenant, tenant_context, unscoped_all_tenants

logger = logging.getLogger(__name__)

TASK_TENANT_HEADER = "tenancy_tenant_id"


class TenantTask(DjangoTask):
    """A Celery task of one business (see the module's docstring)."""

    tenancy = "tenant"

    def apply_async(self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None, **options):
        headers = dict(options.pop("headers", None) or {})
        tenant = _tenant_in_scope(self.name)
        # A retry re-sends its own headers, in its own tenant's scope: anything else
        # naming a tenant is a caller trying to choose one.
        named = headers.get(TASK_TENANT_HEADER)
        if named is not None and str(named) != str(tenant.pk):
            raise TenantScopeError(f"{self.name}: the tenant of a task comes from the scope, not from its caller.")
        headers[TASK_TENANT_HEADER] = tenant.pk
        return super().apply_async(args, kwargs, task_id, producer, link, link_error, headers=headers, **options)

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        tenant = _tenant_in_scope(self.name)  # refused now, not after the commit

        def send() -> None:
            with tenant_context(tenant):
                self.apply_async(args, kwargs, **options)

        transaction.on_commit(send, robust=True)

    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:
        self.apply_async_on_commit(args, kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tenant = self._tenant_of_message()
        if tenant is None:
            return None
        with tenant_context(tenant):
            return super().__call__(*args, **kwargs)

    def _tenant_of_message(self) -> Tenant | None:
        # A worker hands custom headers over as request attributes; an eager run keeps
        # them in ``request.headers``.
        request = self.request
        tenant_id = request.get(TASK_TENANT_HEADER) or (getattr(request, "headers", None) or {}).get(TASK_TENANT_HEADER)
        if tenant_id is None:
            logger.error("task dropped task=%s id=%s: its message names no tenant", self.name, request.id)
            return None
        tenant = tenant_model().objects.filter(pk=tenant_id).first()
        if tenant is None or not tenant.is_active:
            logger.warning(
                "task dropped task=%s id=%s tenant=%s: the business is %s",
                self.name,
                request.id,
                tenant_id,
                "gone" if tenant is None else "inactive",
            )
            return None
        return tenant


class PlatformTask(DjangoTask):
    """A Celery task across businesses, run under the audited bypass."""

    tenancy = "platform"
    tenancy_reason = ""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with unscoped_all_tenants(f"task {self.name}: {self.tenancy_reason}"):
            return super().__call__(*args, **kwargs)


def _tenant_in_scope(task_name: str) -> Tenant:
    tenant = get_current_tenant()
    if tenant is None:
        raise TenantScopeError(f"{task_name} enqueued with no tenant in scope; enter tenant_context(tenant) first.")
    return tenant


def tenant_task(*args: Any, **options: Any):
    """Declare a task of one business: ``@tenant_task`` or ``@tenant_task(bind=True, ...)``."""
    return shared_task(*args, base=TenantTask, **options)


def platform_task(*, reason: str, **options: Any):
    """Declare a task across businesses, with the reason the audit log records."""
    if not reason:
        raise ValueError("A platform task needs a reason for the audit log.")
    return shared_task(base=PlatformTask, tenancy_reason=reason, **options)
