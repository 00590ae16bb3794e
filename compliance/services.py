"""Writes of the compliance app. Every function takes the tenant (or a row of it) explicitly."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from compliance import selectors
from compliance.models import (
    AccidentReport,
    ComplianceCategory,
    ComplianceItem,
    Equipment,
    EquipmentInspection,
    IncidentPhoto,
    IncidentReport,
    PeaceOfMindScore,
    RAMSDocument,
    ScoreAuditLog,
    SignOff,
)
from core.models import BusinessEvent, TenantSettings
from core.permissions import MANAGERS, has_role
from core.services import business_event_record
from core.tenancy import delete_after_commit, tenant_cache_get_or_set, tenant_cache_invalidate
from core.transitions import transition, transition_lock

# Reports may carry a time a little ahead of the server's clock (a phone's clock).
CLOCK_SKEW = timedelta(minutes=5)


def _actor(user):
    """The user to record, or None for anonymous and missing users."""
    return user if getattr(user, "is_authenticated", False) else None


def _refuse_future_moment(moment: datetime, field: str) -> None:
    if moment > timezone.now() + CLOCK_SKEW:
        raise ValidationError({field: "This cannot be in the future."})


def _delete_files_on_commit(*files) -> None:
    """Remove stored files once the rows that named them are gone for good."""
    for field_file in files:
        if field_file:
            delete_after_commit(field_file.storage, field_file.name)


def _apply(instance, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(instance, name, value)


# The Peace of Mind score ------------------------------------------------------------


def compliance_item_statuses_sync(*, tenant: TenantSettings, today: date | None = None) -> int:
    """Store the status each item's dates give it today (statuses age as days pass)."""
    stored = dict(ComplianceItem.objects.filter(tenant=tenant).values_list("pk", "status"))
    stale: dict[str, list[int]] = defaultdict(list)
    for pk, status in selectors.compliance_item_derived_statuses(tenant=tenant, today=today).items():
        if stored.get(pk) != status:
            stale[status].append(pk)
    return sum(
        ComplianceItem.objects.filter(tenant=tenant, pk__in=pks).update(status=status) for status, pks in stale.items()
    )


@transaction.atomic
def peace_of_mind_recompute(
    *, tenant: TenantSettings, reason: str, performed_by: User | None = None
) -> PeaceOfMindScore:
    """Recompute the tenant's single score row from its records (creating it if needed).

    A ``ScoreAuditLog`` row is written when the score changes (and for the first score),
    never when it stays the same.
    """
    compliance_item_statuses_sync(tenant=tenant)
    figures = selectors.peace_of_mind_figures(tenant=tenant)
    values = {
        "score": figures.score,
        "compliant_items": figures.compliant_items,
        "total_items": figures.total_items,
        "overdue_items": figures.overdue_items,
        "open_critical_incidents": figures.open_critical_incidents,
        "computed_at": timezone.now(),
    }
    score, created = PeaceOfMindScore.objects.select_for_update().get_or_create(tenant=tenant, defaults=values)
    previous = None if created else score.score
    if not created:
        _apply(score, values)
        score.save()
    if created or previous != score.score:
        ScoreAuditLog.objects.create(
            score=score,
            previous_score=previous,
            new_score=score.score,
            reason=reason[:200],
            changed_by=_actor(performed_by),
        )
    tenant_cache_invalidate(tenant_id=tenant.pk)
    return score


SCORE_SECONDS = 300


def peace_of_mind_current(*, tenant: TenantSettings, performed_by: User | None = None) -> PeaceOfMindScore:
    """The tenant's score of today, from the tenant's cache once read (every recompute
    forgets it)."""
    return tenant_cache_get_or_set(
        tenant=tenant,
        name=f"compliance:score:{tenant.today().isoformat()}",
        compute=lambda: _peace_of_mind_stored(tenant=tenant, performed_by=performed_by),
        timeout=SCORE_SECONDS,
    )


def _peace_of_mind_stored(*, tenant: TenantSettings, performed_by=None) -> PeaceOfMindScore:
    """The stored score: computed on first read, and again on the first read of a new day
    (items fall due as days pass, with no write to recompute them)."""
    score = PeaceOfMindScore.objects.filter(tenant=tenant).first()
    if score is None:
        return peace_of_mind_recompute(tenant=tenant, reason="First computation", performed_by=performed_by)
    if tenant.local(score.computed_at).date() < tenant.today():
        return peace_of_mind_recompute(tenant=tenant, reason="Daily refresh", performed_by=performed_by)
    return score


# Categories and items ---------------------------------------------------------------


@transaction.atomic
def compliance_category_update(
    *, category: ComplianceCategory, performed_by: User | None = None, **changes: Any
) -> ComplianceCategory:
    old_weight = category.weight
    _apply(category, changes)
    category.save()
    if category.weight != old_weight:
        peace_of_mind_recompute(
            tenant=category.tenant,
            reason=f"Weight of {category.name} changed from {old_weight} to {category.weight}",
            performed_by=performed_by,
        )
    return category


@transaction.atomic
def compliance_item_create(
    *, tenant: TenantSettings, performed_by: User | None = None, **fields: Any
) -> ComplianceItem:
    item = ComplianceItem.objects.create(tenant=tenant, **fields)
    peace_of_mind_recompute(tenant=tenant, reason=f"Item added: {item.title}", performed_by=performed_by)
    return item


@transaction.atomic
def compliance_item_update(*, item: ComplianceItem, performed_by: User | None = None, **changes: Any) -> ComplianceItem:
    _apply(item, changes)
    item.save()
    peace_of_mind_recompute(tenant=item.tenant, reason=f"Item changed: {item.title}", performed_by=performed_by)
    return item


@transaction.atomic
def compliance_item_delete(*, item: ComplianceItem, performed_by: User | None = None) -> None:
    tenant, title = item.tenant, item.title
    item.delete()
    peace_of_mind_recompute(tenant=tenant, reason=f"Item removed: {title}", performed_by=performed_by)


@transaction.atomic
def compliance_item_complete(
    *, item: ComplianceItem, completed_on: date | None = None, evidence_note: str = "", performed_by: User | None = None
) -> ComplianceItem:
    """Record that the check was done: a recurring item is next due one period later.

    A check is recorded once for a day: completing it again for that day is refused.
    """
    today = item.tenant.today()
    completed_on = completed_on or today
    if completed_on > today:
        raise ValidationError({"completed_on": "A check cannot be completed in the future."})
    if item.last_completed_on and completed_on < item.last_completed_on:
        raise ValidationError(
            {"completed_on": f"This item was already completed on {item.last_completed_on:%d %b %Y}, a later date."}
        )

    def completion(item: ComplianceItem) -> str:
        if item.status == ComplianceItem.Status.NOT_APPLICABLE:
            return item.status
        return "completed" if item.last_completed_on and item.last_completed_on >= completed_on else "to_do"

    def refused(item: ComplianceItem) -> str:
        if item.status == ComplianceItem.Status.NOT_APPLICABLE:
            return "This item is marked not applicable; make it applicable first."
        return f"This item is already completed on {item.last_completed_on:%d %b %Y}."

    item = transition_lock(row=item, state=completion, allowed=["to_do"], refused=refused)
    item.last_completed_on = completed_on
    next_due = item.next_due_after(completed_on)
    if next_due is not None:
        item.due_date = next_due
    if evidence_note:
        item.evidence_note = evidence_note
    item.save()
    peace_of_mind_recompute(tenant=item.tenant, reason=f"Item completed: {item.title}", performed_by=performed_by)
    return item


# Incidents --------------------------------------------------------------------------


@transaction.atomic
def incident_report(
    *, tenant: TenantSettings, reported_by: User, occurred_at: datetime, **fields: Any
) -> IncidentReport:
    """Any member reports an incident; it goes in the activity feed and may move the score."""
    _refuse_future_moment(occurred_at, "occurred_at")
    if fields.get("status") == IncidentReport.Status.CLOSED:
        raise ValidationError({"status": "An incident is closed by a manager's sign-off."})
    incident = IncidentReport.objects.create(tenant=tenant, reported_by=reported_by, occurred_at=occurred_at, **fields)
    business_event_record(
        tenant=tenant,
        kind=BusinessEvent.Kind.INCIDENT_REPORTED,
        summary=f"{incident.get_severity_display()} incident reported: {incident.title}",
        performed_by=reported_by,
        subject=incident,
    )
    peace_of_mind_recompute(tenant=tenant, reason=f"Incident reported: {incident.title}", performed_by=reported_by)
    return incident


def _refuse_closed(incident: IncidentReport) -> None:
    if incident.is_closed:
        raise ValidationError({"status": "This incident is signed off and closed; it can no longer change."})


@transaction.atomic
def incident_update(*, incident: IncidentReport, performed_by: User | None = None, **changes: Any) -> IncidentReport:
    incident = IncidentReport.objects.select_for_update().get(pk=incident.pk)
    _refuse_closed(incident)
    if changes.get("status") == IncidentReport.Status.CLOSED:
        raise ValidationError({"status": "An incident is closed by a manager's sign-off."})
    if "occurred_at" in changes:
        _refuse_future_moment(changes["occurred_at"], "occurred_at")
    _apply(incident, changes)
    incident.save()
    peace_of_mind_recompute(
        tenant=incident.tenant, reason=f"Incident updated: {incident.title}", performed_by=performed_by
    )
    return incident


@transaction.atomic
@transaction.atomic
def incident_delete(*, incident: IncidentReport, performed_by: User | None = None) -> None:
    # Locked first, so a sign-off or photo being added meanwhile either lands before
    # (and is refused or deleted with it) or waits and finds the incident gone.
    incident = IncidentReport.objects.select_for_update().get(pk=incident.pk)
    _refuse_closed(incident)
    tenant, title = incident.tenant, incident.title
    photos = [photo.image for photo in incident.photos.all()]
    incident.delete()
    _delete_files_on_commit(*photos)
    peace_of_mind_recompute(tenant=tenant, reason=f"Incident removed: {title}", performed_by=performed_by)


@transaction.atomic
def incident_photo_add(*, incident: IncidentReport, image: File, caption: str = "") -> IncidentPhoto:
    incident = IncidentReport.objects.select_for_update().get(pk=incident.pk)
    _refuse_closed(incident)
    return IncidentPhoto.objects.create(incident=incident, image=image, caption=caption)


@transaction.atomic
def incident_photo_delete(*, photo: IncidentPhoto) -> None:
    _refuse_closed(photo.incident)
    photo.delete()
    _delete_files_on_commit(photo.image)


@transaction.atomic
def incident_sign_off(*, incident: IncidentReport, signed_by: User, comment: str = "") -> SignOff:
    """A manager or owner signs the incident off; it is closed from then on."""
    if not has_role(signed_by, MANAGERS):
        raise ValidationError({"signed_by": "Only the business's owners and managers sign incidents off."})
    incident = transition(
        row=incident,
        allowed=[status for status in IncidentReport.Status if status != IncidentReport.Status.CLOSED],
        refused="This incident is already signed off; it is {state}.",
        error_key="incident",
        changes={"status": IncidentReport.Status.CLOSED},
    )
    sign_off = SignOff.objects.create(
        incident=incident,
        signed_by=signed_by,
        role_at_signing="operator" if signed_by.tenant_id is None else signed_by.role,
        comment=comment,
    )
    business_event_record(
        tenant=incident.tenant,
        kind=BusinessEvent.Kind.INCIDENT_SIGNED_OFF,
        summary=f"Incident signed off and closed: {incident.title}",
        performed_by=signed_by,
        subject=incident,
    )
    peace_of_mind_recompute(
        tenant=incident.tenant, reason=f"Incident signed off: {incident.title}", performed_by=signed_by
    )
    return sign_off


# Equipment --------------------------------------------------------------------------


def equipment_update(*, equipment: Equipment, **changes: Any) -> Equipment:
    """A new inspection interval moves the next due date of equipment that passed its last inspection."""
    interval_changed = (
        "inspection_interval_days" in changes
        and changes["inspection_interval_days"] != equipment.inspection_interval_days
    )
    _apply(equipment, changes)
    if interval_changed and "next_inspection_due" not in changes and equipment.last_inspected_on:
        last = equipment.inspections.filter(inspected_on=equipment.last_inspected_on).order_by("-id").first()
        if last is None or last.passed:
            equipment.next_inspection_due = equipment.last_inspected_on + timedelta(
                days=equipment.inspection_interval_days
            )
    equipment.save()
    return equipment


def equipment_delete(*, equipment: Equipment) -> None:
    if equipment.inspections.exists():
        raise ValidationError(
            {"is_active": "This equipment has an inspection history; mark it inactive instead of deleting it."}
        )
    equipment.delete()


@transaction.atomic
def equipment_inspection_record(
    *,
    equipment: Equipment,
    inspector: User,
    inspected_on: date | None = None,
    passed: bool = True,
    notes: str = "",
    recorded_by: User | None = None,
) -> EquipmentInspection:
    """Record an inspection. A pass makes the next one due an interval later; a failure
    makes the equipment due again at once (re-inspect after the repair)."""
    equipment = Equipment.objects.select_for_update().get(pk=equipment.pk)
    today = equipment.tenant.today()
    inspected_on = inspected_on or today
    if not equipment.is_active:
        raise ValidationError({"equipment": "This equipment is not in use any more."})
    if inspected_on > today:
        raise ValidationError({"inspected_on": "An inspection cannot be recorded in the future."})
    inspection = EquipmentInspection.objects.create(
        equipment=equipment, inspected_on=inspected_on, inspector=inspector, passed=passed, notes=notes
    )
    if equipment.last_inspected_on is None or inspected_on >= equipment.last_inspected_on:
        equipment.last_inspected_on = inspected_on
        equipment.next_inspection_due = (
            inspected_on + timedelta(days=equipment.inspection_interval_days) if passed else inspected_on
        )
        equipment.save(update_fields=["last_inspected_on", "next_inspection_due"])
    business_event_record(
        tenant=equipment.tenant,
        kind=BusinessEvent.Kind.INSPECTION_RECORDED,
        summary=f"{equipment.name} inspected on {inspected_on:%d %b %Y}: {'passed' if passed else 'FAILED'}",
        performed_by=recorded_by or inspector,
        subject=inspection,
    )
    return inspection


# Accidents --------------------------------------------------------------------------


@transaction.atomic
def accident_report(
    *, tenant: TenantSettings, reported_by: User, occurred_at: datetime, **fields: Any
) -> AccidentReport:
    _refuse_future_moment(occurred_at, "occurred_at")
    accident = AccidentReport.objects.create(tenant=tenant, reported_by=reported_by, occurred_at=occurred_at, **fields)
    riddor = " (RIDDOR reportable)" if accident.riddor_reportable else ""
    business_event_record(
        tenant=tenant,
        kind=BusinessEvent.Kind.ACCIDENT_REPORTED,
        summary=f"Accident reported: {accident.person_involved} at {accident.location}{riddor}",
        performed_by=reported_by,
        subject=accident,
    )
    return accident


def accident_update(*, accident: AccidentReport, **changes: Any) -> AccidentReport:
    if "occurred_at" in changes:
        _refuse_future_moment(changes["occurred_at"], "occurred_at")
    _apply(accident, changes)
    accident.save()
    return accident


# RAMS -------------------------------------------------------------------------------


@transaction.atomic
def rams_update(*, document: RAMSDocument, **changes: Any) -> RAMSDocument:
    """Only a draft changes; an approved document is replaced by a new version."""
    if document.status != RAMSDocument.Status.DRAFT:
        raise ValidationError(
            {"status": f"A {document.get_status_display().lower()} document cannot change; add a new version."}
        )
    replaced = document.file if "file" in changes and document.file else None
    _apply(document, changes)
    document.save()
    if replaced is not None and replaced.name != document.file.name:
        _delete_files_on_commit(replaced)
    return document


@transaction.atomic
def rams_approve(*, document: RAMSDocument, approved_by: User) -> RAMSDocument:
    """Approve a draft; earlier approved versions of the same title are superseded."""
    document = transition(
        row=document,
        allowed=[RAMSDocument.Status.DRAFT],
        refused="Only a draft can be approved; this one is {state}.",
        changes={
            "status": RAMSDocument.Status.APPROVED,
            "approved_by": _actor(approved_by),
            "approved_on": document.tenant.today(),
        },
    )
    RAMSDocument.objects.filter(
        tenant=document.tenant, title=document.title, status=RAMSDocument.Status.APPROVED
    ).exclude(pk=document.pk).update(status=RAMSDocument.Status.SUPERSEDED)
    return document


@transaction.atomic
def rams_delete(*, document: RAMSDocument) -> None:
    document.delete()
    _delete_files_on_commit(document.file)
