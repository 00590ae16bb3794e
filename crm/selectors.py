"""Reads of the crm app. Every function takes the tenant explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from accounts.models import User
from core.models import TenantSettings
from core.tenancy import scope_queryset
from crm.models import Lead


@dataclass(frozen=True)
class PipelineStage:
    status: str
    label: str
    count: int
    total_value: Decimal


@dataclass(frozen=True)
class PipelineSummary:
    stages: list[PipelineStage]
    open_count: int
    open_value: Decimal
    won_value: Decimal
    follow_ups_due: int


def lead_list(*, tenant: TenantSettings, owner: User | None = None, source: str | None = None) -> QuerySet[Lead]:
    """The business's leads, optionally one owner's or from one source."""
    leads = scope_queryset(Lead.objects.all(), tenant)
    if owner is not None:
        leads = leads.filter(owner=owner)
    if source is not None:
        leads = leads.filter(source=source)
    return leads


def leads_with_follow_up_due(*, tenant: TenantSettings, queryset: QuerySet | None = None) -> QuerySet:
    """Open leads whose next follow-up is today or overdue (in the business's time zone)."""
    leads = scope_queryset(queryset if queryset is not None else Lead.objects.all(), tenant)
    return leads.filter(status__in=Lead.OPEN_STATUSES, next_follow_up__lte=tenant.today())


def lead_pipeline_summary(*, tenant: TenantSettings, queryset: QuerySet | None = None) -> PipelineSummary:
    """Count and total value of the leads at each stage, every stage listed, in pipeline order."""
    leads = scope_queryset(queryset if queryset is not None else Lead.objects.all(), tenant)
    rows = {
        row["status"]: row for row in leads.order_by().values("status").annotate(count=Count("pk"), total=Sum("value"))
    }
    stages = [
        PipelineStage(
            status=status.value,
            label=status.label,
            count=rows.get(status.value, {}).get("count", 0),
            total_value=rows.get(status.value, {}).get("total") or Decimal("0.00"),
        )
        for status in Lead.Status
    ]
    open_stages = [stage for stage in stages if stage.status in Lead.OPEN_STATUSES]
    return PipelineSummary(
        stages=stages,
        open_count=sum(stage.count for stage in open_stages),
        open_value=sum((stage.total_value for stage in open_stages), Decimal("0.00")),
        won_value=next(stage.total_value for stage in stages if stage.status == Lead.Status.WON),
        follow_ups_due=leads_with_follow_up_due(tenant=tenant, queryset=leads).count(),
    )
