"""A new business on the platform: its settings, its owner and its defaults in one
transaction, and the owner invited to choose a password.

Used by ``manage.py create_tenant``, ``POST /api/platform/tenants/`` and the admin's add
form, so a business is made the same way whoever makes it. Everything is checked before
anything is written, and every problem is reported at once, keyed by field (``slug``,
``name``, ``owner_email``, ``domain``, ``timezone``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from accounts.models import PasswordToken, User
from accounts.services import audit_log_record, owner_create, password_token_issue
from accounts.tasks import invitation_send, password_set_url
from core.lifecycle.audit import platform_audit_record
from core.models import PlatformAuditRecord, TenantSettings
from core.tenancy import clean_custom_domain, no_tenant, tenant_context, validate_tenant_slug
from core.timezones import validate_time_zone

DEFAULT_TIME_ZONE: str = TenantSettings._meta.get_field("timezone").default

# What a new business needs of an app before its owner first signs in, as
# "<module>.<function>", each called as ``f(tenant=, owner=)`` in the business's scope and
# the onboarding transaction. Kept to what is needed: the other apps work from an empty
# business (bookings opens every day from the settings' opening_hour to closing_hour
# until the business sets its week; the compliance score is computed on first read;
# services, channels, categories and the rest are the business's own to create).
BUSINESS_DEFAULTS: tuple[str, ...] = (
    # The owner is on the team, so they can rota, clock in and book leave for themselves.
    "staff.services.staff_profile_of_owner_create",
)

_NAME_MAX = TenantSettings._meta.get_field("name").max_length
_EMAIL_MAX = User._meta.get_field("email").max_length
_USERNAME_MAX = User._meta.get_field("username").max_length
# What Django's username validator accepts, less "@" (a username is not an address).
_NOT_IN_USERNAME = re.compile(r"[^\w.+-]")


@dataclass(frozen=True)
class NewTenant:
    """What ``tenant_create`` was asked for, checked and in its stored spelling."""

    slug: str
    name: str
    owner_email: str
    domain: str | None
    timezone: str


@dataclass(frozen=True)
class TenantCreated:
    tenant: TenantSettings
    owner: User
    # The link the owner was e-mailed (it carries the single-use token: show it only to
    # the operator who made the business).
    invitation_url: str
    invitation_expires_at: datetime


def _taken(*, slug: str | None, domain: str | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if slug and TenantSettings.objects.filter(slug=slug).exists():
        errors["slug"] = ["A business with this slug already exists."]
    if domain and TenantSettings.objects.filter(custom_domain=domain).exists():
        errors["domain"] = ["This domain is already in use by another business."]
    return errors


def tenant_create_clean(
    *, slug: str, name: str, owner_email: str, domain: str | None = None, timezone: str = DEFAULT_TIME_ZONE
) -> NewTenant:
    """Check a new business's details; raises ``ValidationError`` with every field's
    problems (a taken slug or domain included) and writes nothing."""
    errors: dict[str, list[str]] = {}

    try:
        validate_tenant_slug(slug)
    except ValidationError as exc:
        errors["slug"] = exc.messages

    name = (name or "").strip()
    if not name:
        errors["name"] = ["Give the business a name."]
    elif len(name) > _NAME_MAX:
        errors["name"] = [f"Use at most {_NAME_MAX} characters."]

    owner_email = (owner_email or "").strip().lower()
    try:
        validate_email(owner_email)
        if len(owner_email) > _EMAIL_MAX:
            raise ValidationError(f"Use at most {_EMAIL_MAX} characters.")
    except ValidationError as exc:
        errors["owner_email"] = exc.messages

    try:
        domain = clean_custom_domain(domain)
    except ValidationError as exc:
        errors["domain"] = exc.messages

    try:
        validate_time_zone(timezone)
    except ValidationError as exc:
        errors["timezone"] = exc.messages

    # Only a well-formed slug or domain can be taken.
    taken = _taken(slug=None if "slug" in errors else slug, domain=None if "domain" in errors else domain)
    for field, messages in taken.items():
        errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    return NewTenant(slug=slug, name=name, owner_email=owner_email, domain=domain, timezone=timezone)


def owner_username(*, email: str, slug: str) -> str:
    """The owner's username: their e-mail address's local part as a username may spell
    it, else ``<slug>-owner``. The business is new, so no one else has it."""
    local = _NOT_IN_USERNAME.sub("", email.rpartition("@")[0].lower())[:_USERNAME_MAX]
    return local or f"{slug}-owner"


def _tenant_insert(new: NewTenant, *, is_demo: bool) -> TenantSettings:
    try:
        with transaction.atomic():
            return TenantSettings.objects.create(
                slug=new.slug, name=new.name, custom_domain=new.domain, timezone=new.timezone, is_demo=is_demo
            )
    except IntegrityError:
        # Another request took the slug or the domain between the check and the insert.
        taken = _taken(slug=new.slug, domain=new.domain)
        if not taken:
            raise
        raise ValidationError(taken) from None


def tenant_create(
    *,
    slug: str,
    name: str,
    owner_email: str,
    domain: str | None = None,
    timezone: str = DEFAULT_TIME_ZONE,
    is_demo: bool = False,
    performed_by: str,
) -> TenantCreated:
    """Create a business with its owner and defaults, all or nothing, and e-mail the owner
    an invitation (a single-use link bound to the business, valid for
    ``PASSWORD_INVITE_HOURS``) once the transaction commits. ``performed_by`` names who
    did it in the platform's audit record, written after the commit.

    Raises ``ValidationError`` ({field: [messages]}) before anything is written."""
    new = tenant_create_clean(slug=slug, name=name, owner_email=owner_email, domain=domain, timezone=timezone)
    # No tenant in scope and no bypass, whoever calls (an operator's admin page runs under
    # the bypass, a request may name a business): the business is written on the default
    # connection, in one transaction, and its rows only in its own scope.
    with no_tenant(), transaction.atomic():
        tenant = _tenant_insert(new, is_demo=is_demo)
        with tenant_context(tenant):
            owner = owner_create(
                tenant=tenant, username=owner_username(email=new.owner_email, slug=tenant.slug), email=new.owner_email
            )
            for default in BUSINESS_DEFAULTS:
                import_string(default)(tenant=tenant, owner=owner)
            token = password_token_issue(tenant=tenant, user=owner, purpose=PasswordToken.Purpose.INVITE)
            expires_at = PasswordToken.objects.get(token_hash=PasswordToken.hash_of(token)).expires_at
            audit_log_record(user=owner, action="invitation_sent", detail={"by": performed_by})
            # The raw token travels in the message, once: it is single-use and expires.
            invitation_send.delay_on_commit(owner.pk, token)
        # After the commit: the platform role writes it on a connection of its own, and a
        # business rolled back must leave no record of being created.
        transaction.on_commit(
            partial(
                platform_audit_record,
                action=PlatformAuditRecord.Action.CREATED,
                tenant=tenant,
                performed_by=performed_by,
                details={
                    "owner": owner.username,
                    "custom_domain": tenant.custom_domain,
                    "timezone": tenant.timezone,
                    "is_demo": tenant.is_demo,
                },
            )
        )
    return TenantCreated(
        tenant=tenant,
        owner=owner,
        invitation_url=password_set_url(tenant=tenant, token=token),
        invitation_expires_at=expires_at,
    )
