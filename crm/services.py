"""Writes of the crm app. Every function takes the tenant (or a row of it) explicitly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from bookings.selectors import client_with_email
from bookings.services import client_create
from core.models import BusinessEvent, TenantSettings
from core.services import business_event_record
from core.transitions import transition, transition_lock
from crm.models import Lead

Status = Lead.Status

# Where a lead may go from each stage. Conversion (lead_convert) wins any open lead.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.CONTACTED, Status.LOST},
    Status.CONTACTED: {Status.QUALIFIED, Status.LOST},
    Status.QUALIFIED: {Status.PROPOSAL, Status.LOST},
    Status.PROPOSAL: {Status.WON, Status.LOST},
    Status.WON: set(),
    Status.LOST: {Status.NEW},  # reopened
}


def lead_create(
    *,
    tenant: TenantSettings,
    created_by: User | None,
    name: str,
    email: str = "",
    phone: str = "",
    company: str = "",
    source: str = Lead.Source.OTHER,
    value: Decimal | int = 0,
    notes: str = "",
    owner: User | None = None,
    next_follow_up: date | None = None,
) -> Lead:
    lead = Lead.objects.create(
        tenant=tenant,
        name=name,
        email=email.lower(),
        phone=phone,
        company=company,
        source=source,
        value=value,
        notes=notes,
        owner=owner,
        next_follow_up=next_follow_up,
    )
    origin = f" ({lead.get_source_display().lower()})" if source != Lead.Source.OTHER else ""
    business_event_record(
        tenant=tenant,
        kind=BusinessEvent.Kind.LEAD_CREATED,
        summary=f"New lead {lead}{origin}, worth {lead.value}",
        performed_by=created_by,
        subject=lead,
    )
    return lead


def _pipeline_state(lead: Lead) -> str:
    """A lead's stage, or ``converted`` once it is a client (converted leads stay won)."""
    return "converted" if lead.converted_client_id is not None else lead.status


@transaction.atomic
def lead_move(*, lead: Lead, status: str, lost_reason: str = "") -> Lead:
    """Move a lead to the next stage of the pipeline (or lose it, or reopen a lost one)."""
    if status not in Status.values:
        raise ValidationError({"status": f"'{status}' is not a stage of the pipeline."})

    def refused(lead: Lead) -> str:
        if lead.converted_client_id is not None:
            return "This lead was converted to a client; it stays won."
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[lead.status])) or "nothing (it is closed)"
        return f"A {lead.get_status_display().lower()} lead cannot become {status}; it can become {allowed}."

    return transition(
        row=lead,
        state=_pipeline_state,
        allowed=[stage for stage, targets in ALLOWED_TRANSITIONS.items() if status in targets],
        refused=refused,
        changes={"status": status, "lost_reason": lost_reason.strip() if status == Status.LOST else ""},
    )


@transaction.atomic
def lead_convert(*, lead: Lead, converted_by: User | None) -> tuple[Lead, bool]:
    """Make the lead a client of the business: the client with the lead's email if there is
    one, else a new one. The lead is won. Returns the lead and whether a client was created."""

    def refused(lead: Lead) -> str:
        if lead.converted_client_id is not None:
            return f"This lead is already converted (client #{lead.converted_client_id})."
        return "A lost lead cannot be converted; reopen it first."

    # Under the lock: two conversions at once cannot both create a client.
    lead = transition_lock(
        row=lead,
        state=_pipeline_state,
        allowed=[*Lead.OPEN_STATUSES, Status.WON],
        refused=refused,
    )
    client = client_with_email(tenant=lead.tenant, email=lead.email) if lead.email else None
    created = client is None
    if created:
        note = f"Converted from lead #{lead.pk}" + (f" ({lead.company})" if lead.company else "") + "."
        client = client_create(
            tenant=lead.tenant,
            name=lead.name,
            email=lead.email,
            phone=lead.phone,
            notes=note,
            created_by=converted_by,
        )
    lead.converted_client = client
    lead.status = Status.WON
    lead.lost_reason = ""
    lead.save(update_fields=["converted_client", "status", "lost_reason", "updated_at"])
    business_event_record(
        tenant=lead.tenant,
        kind=BusinessEvent.Kind.LEAD_CONVERTED,
        summary=f"Lead {lead} won and converted to {'new' if created else 'existing'} client {client.name}",
        performed_by=converted_by,
        subject=lead,
    )
    return lead, created
