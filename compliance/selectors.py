"""Reads of the compliance app. Every function takes the tenant explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from compliance.models import ComplianceItem, Equipment, IncidentReport, derive_item_status
from core.models import TenantSettings

# Each open (or under investigation) critical incident takes this many points off the score.
CRITICAL_INCIDENT_PENALTY = 10
IN_DATE = (ComplianceItem.Status.COMPLIANT, ComplianceItem.Status.DUE_SOON)


@dataclass(frozen=True)
class ScoreFigures:
    score: int
    compliant_items: int
    total_items: int
    overdue_items: int
    open_critical_incidents: int


_STATUS_COLUMNS = ("status", "frequency", "due_date", "last_completed_on")


def compliance_item_derived_statuses(*, tenant: TenantSettings, today: date | None = None) -> dict[int, str]:
    """Each of the tenant's items and the status its dates give it today."""
    today = today or tenant.today()
    rows = ComplianceItem.objects.filter(tenant=tenant).values_list("pk", *_STATUS_COLUMNS)
    return {pk: _derived_status(columns, today) for pk, *columns in rows}


def _derived_status(columns, today: date) -> str:
    status, frequency, due_date, last_completed_on = columns
    return derive_item_status(
        status=status, frequency=frequency, due_date=due_date, last_completed_on=last_completed_on, today=today
    )


def peace_of_mind_figures(*, tenant: TenantSettings, today: date | None = None) -> ScoreFigures:
    """The Peace of Mind score of the tenant's records, as of ``today``.

    score = 100 x (category weight of the applicable items in date) / (category weight of
    every applicable item), rounded half up, minus ``CRITICAL_INCIDENT_PENALTY`` for each
    critical incident still open or under investigation, never below 0. "In date" means
    compliant or due soon; overdue items earn nothing; "not applicable" items do not count.
    With no applicable item the base is 0: nothing is being kept up to date yet.
    """
    today = today or tenant.today()
    # Statuses and weights in one read: an item added or deleted meanwhile by another
    # request is then in both or in neither.
    rows = ComplianceItem.objects.filter(tenant=tenant).values_list("category__weight", *_STATUS_COLUMNS)
    weighted = [(weight, _derived_status(columns, today)) for weight, *columns in rows]
    applicable = [(weight, status) for weight, status in weighted if status != ComplianceItem.Status.NOT_APPLICABLE]
    total_weight = sum(weight for weight, _ in applicable)
    in_date_weight = sum(weight for weight, status in applicable if status in IN_DATE)
    base = Decimal(0)
    if total_weight:
        base = (Decimal(100) * in_date_weight / total_weight).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    open_critical = IncidentReport.objects.filter(
        tenant=tenant, severity=IncidentReport.Severity.CRITICAL, status__in=IncidentReport.OPEN_STATUSES
    ).count()
    score = min(100, max(0, int(base) - CRITICAL_INCIDENT_PENALTY * open_critical))
    return ScoreFigures(
        score=score,
        compliant_items=sum(1 for _, status in applicable if status in IN_DATE),
        total_items=len(applicable),
        overdue_items=sum(1 for _, status in applicable if status == ComplianceItem.Status.OVERDUE),
        open_critical_incidents=open_critical,
    )


def equipment_inspections_due(
    *, tenant: TenantSettings, within_days: int = 30, today: date | None = None
) -> QuerySet[Equipment]:
    """Active equipment whose next inspection is due within ``within_days`` (or overdue)."""
    today = today or tenant.today()
    return Equipment.objects.filter(
        tenant=tenant, is_active=True, next_inspection_due__lte=today + timedelta(days=within_days)
    ).order_by("next_inspection_due", "name", "id")
