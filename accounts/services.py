"""Writes of the accounts app."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditLogEntry, PasswordToken, User
from accounts.tasks import invitation_send, password_reset_send
from core.models import TenantSettings
from core.network import client_address
from core.ratelimit import Reservation, attempt_release, attempt_reserve, rate_limit_hit
from core.tenancy import after_response, in_tenant_scope, tenant_context

logger = logging.getLogger(__name__)


def audit_log_record(
    *, user: User, action: str, request: HttpRequest | None = None, detail: dict | None = None
) -> AuditLogEntry | None:
    """Record a security-relevant action of a tenant member (operators are audited in logs)."""
    if user.tenant_id is None:
        return None
    return AuditLogEntry.objects.create(
        user=user,
        action=action,
        detail=detail or {},
        ip_address=(client_address(request) or None) if request is not None else None,
    )


def owner_create(*, tenant: TenantSettings, username: str, email: str) -> User:
    """A new business's first owner (``core.lifecycle.onboarding``). No password: they
    choose one from the invitation they are sent, so nobody else ever knows it."""
    owner = User(tenant=tenant, username=username, email=email, role=User.Role.OWNER)
    owner.set_unusable_password()
    with in_tenant_scope(tenant):
        owner.save()
    return owner


# Failed logins ------------------------------------------------------------------------


class LoginLocked(Exception):
    """Too many failed logins for a username in its business, or from one address."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"login locked for {retry_after}s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoginAttempt:
    reservations: tuple[Reservation, ...]


def _username_key(tenant: TenantSettings | None, username: str) -> str:
    # Hashed: any text a client sends becomes a short, plain key.
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:user:{tenant.pk if tenant is not None else 'platform'}:{digest}"


def login_attempt_begin(*, tenant: TenantSettings | None, username: str, request: HttpRequest) -> LoginAttempt:
    """Count a login as failed before its password is checked (a parallel burst is then
    counted as it runs); :func:`login_attempt_succeeded` takes the count back.

    Raises :class:`LoginLocked`, whatever the password, once the username in this business
    (``tenant``; None for operators) has failed ``LOGIN_FAILURES_PER_USERNAME`` times, or
    the client's address ``LOGIN_FAILURES_PER_ADDRESS`` times, within
    ``LOGIN_LOCKOUT_MINUTES``. Whether the username exists changes nothing of the answer.
    """
    seconds = settings.LOGIN_LOCKOUT_MINUTES * 60
    address = client_address(request) or "unknown"
    by_name = attempt_reserve(
        _username_key(tenant, username), limit=settings.LOGIN_FAILURES_PER_USERNAME, seconds=seconds
    )
    if not by_name.allowed:
        _login_refused(tenant=tenant, username=username, request=request, reservation=by_name, reason="username")
    by_address = attempt_reserve(
        f"login-failures:address:{address}", limit=settings.LOGIN_FAILURES_PER_ADDRESS, seconds=seconds
    )
    if not by_address.allowed:
        # Not counted against the username: an address over its limit would otherwise
        # lock out every name it goes on trying.
        attempt_release(by_name)
        _login_refused(tenant=tenant, username=username, request=request, reservation=by_address, reason="address")
    return LoginAttempt((by_name, by_address))


def login_attempt_succeeded(*, attempt: LoginAttempt) -> None:
    """The login was right: it is not a failure of its username or of its address (the
    failures counted before it stay counted)."""
    for reservation in attempt.reservations:
        attempt_release(reservation)


def _login_refused(
    *, tenant: TenantSettings | None, username: str, request, reservation: Reservation, reason: str
) -> None:
    """Refuse a login while locked out, recording the lock once per window: on the first
    refusal (later ones, an attacker's flood among them, are counted, not recorded)."""
    address = client_address(request) or "unknown"
    limit = settings.LOGIN_FAILURES_PER_USERNAME if reason == "username" else settings.LOGIN_FAILURES_PER_ADDRESS
    if reservation.count == limit + 1:
        after_response(
            lambda: _record_lockout(tenant=tenant, username=username, request=request, reason=reason, address=address)
        )
    raise LoginLocked(reservation.retry_after)


def _record_lockout(*, tenant: TenantSettings | None, username: str, request, reason: str, address: str) -> None:
    detail = {"reason": reason, "minutes": settings.LOGIN_LOCKOUT_MINUTES}
    if tenant is not None:
        with tenant_context(tenant):
            user = User.objects.filter(tenant=tenant, username=username).first()
            if user is not None:
                audit_log_record(user=user, action="login_locked", request=request, detail=detail)
                return
    logger.warning(
        "login_locked tenant=%s username=%r address=%s reason=%s",
        getattr(tenant, "slug", None),
        username[:150],
        address,
        reason,
    )


# Links that set a password: invitations and resets ---------------------------------


class PasswordTokenInvalid(Exception):
    """The token is unknown here, another business's, used, superseded or expired: one
    answer for all, so a token's fate elsewhere is never revealed."""


class PasswordAttemptsLimited(Exception):
    """Too many reset requests from one client address or for one e-mail address, or too
    many failed password-sets from one client address."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"password requests limited for {retry_after}s")
        self.retry_after = retry_after


def _token_lifetime(purpose: str) -> timedelta:
    if purpose == PasswordToken.Purpose.INVITE:
        return timedelta(hours=settings.PASSWORD_INVITE_HOURS)
    return timedelta(minutes=settings.PASSWORD_RESET_MINUTES)


def password_token_issue(*, tenant: TenantSettings, user: User, purpose: Literal["invite", "reset"]) -> str:
    """A new token that sets ``user``'s password once, before it expires (an invitation
    lasts ``PASSWORD_INVITE_HOURS``, a reset ``PASSWORD_RESET_MINUTES``); the raw token is
    returned for the e-mail and only its hash is kept.

    The user's older unused tokens stop working: only the latest link they were sent
    sets their password."""
    if user.tenant_id != tenant.pk:
        raise ValueError("A password token is issued in the user's own business.")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with in_tenant_scope(tenant), transaction.atomic():
        PasswordToken.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        PasswordToken.objects.create(
            user=user,
            purpose=purpose,
            token_hash=PasswordToken.hash_of(token),
            expires_at=now + _token_lifetime(purpose),
        )
    return token


def password_token_consume(
    *, tenant: TenantSettings, token: str, password: str, request: HttpRequest | None = None
) -> User:
    """Set the password of the user ``token`` was issued to, once.

    The token is looked up among ``tenant``'s only: another business's token is as
    unknown as a made-up one. Raises :class:`PasswordTokenInvalid` for a token that is
    unknown here, used, superseded or expired (or whose user was deactivated), and
    ``ValidationError`` (``{"password": [...]}``) for a password Django's validators
    refuse, which leaves the token usable.

    A refusal counts as a failed login of the client's address (the login's own limit,
    ``LOGIN_FAILURES_PER_ADDRESS`` within ``LOGIN_LOCKOUT_MINUTES``): past it,
    :class:`PasswordAttemptsLimited`, whatever the token.
    """
    seconds = settings.LOGIN_LOCKOUT_MINUTES * 60
    address = (client_address(request) if request is not None else "") or "unknown"
    attempt = attempt_reserve(
        f"login-failures:address:{address}", limit=settings.LOGIN_FAILURES_PER_ADDRESS, seconds=seconds
    )
    if not attempt.allowed:
        raise PasswordAttemptsLimited(attempt.retry_after)
    user = _password_token_consume(tenant=tenant, token=token, password=password, request=request)
    attempt_release(attempt)  # a success is no failure of the address
    return user


def _password_token_consume(*, tenant: TenantSettings, token: str, password: str, request: HttpRequest | None) -> User:
    with in_tenant_scope(tenant), transaction.atomic():
        # Locked: of parallel requests with one token, the second reads it after the
        # first has committed, used.
        row = (
            PasswordToken.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(token_hash=PasswordToken.hash_of(token), user__tenant=tenant)
            .first()
        )
        now = timezone.now()
        if row is None or row.used_at is not None or row.expires_at <= now or not row.user.is_active:
            raise PasswordTokenInvalid()
        user = row.user
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
        user.save(update_fields=["password"])
        row.used_at = now
        row.save(update_fields=["used_at"])
        # The password is set: no other link the user was sent sets it again.
        PasswordToken.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        action = "invitation_accepted" if row.purpose == PasswordToken.Purpose.INVITE else "password_reset"
        audit_log_record(user=user, action=action, request=request)
    return user


def user_invite(*, tenant: TenantSettings, user: User, by: User | None, request: HttpRequest | None = None) -> None:
    """E-mail ``user`` a link that sets their password (a new staff member, or one who
    lost the first invitation), once the transaction commits."""
    if not user.email:
        raise ValidationError({"email": "Add an e-mail address first: the invitation is sent there."})
    if not user.is_active:
        raise ValidationError({"user": "This account is deactivated; reactivate it first."})
    token = password_token_issue(tenant=tenant, user=user, purpose=PasswordToken.Purpose.INVITE)
    with in_tenant_scope(tenant):
        audit_log_record(
            user=user, action="invitation_sent", request=request, detail={"by": by.username if by else None}
        )
        # The raw token travels in the message, once: it is single-use and expires.
        invitation_send.delay_on_commit(user.pk, token)


def _reset_limit(key: str) -> None:
    decision = rate_limit_hit(key, limit=settings.PASSWORD_RESET_REQUESTS_PER_HOUR, seconds=3600)
    if not decision.allowed:
        raise PasswordAttemptsLimited(decision.retry_after)


def password_reset_request(*, tenant: TenantSettings, email: str, request: HttpRequest) -> None:
    """Send a reset link to every active user of ``tenant`` with the e-mail address
    ``email``, if any: the caller answers the same either way.

    Counted before the address is looked up, per client address and per e-mail
    address at the business, so the limit says nothing of who exists here either.
    Raises :class:`PasswordAttemptsLimited` past ``PASSWORD_RESET_REQUESTS_PER_HOUR``.
    """
    email = email.strip().lower()
    _reset_limit(f"password-resets:address:{client_address(request) or 'unknown'}")
    digest = hashlib.sha256(email.encode()).hexdigest()[:32]  # any text becomes a short, plain key
    _reset_limit(f"password-resets:email:{tenant.pk}:{digest}")
    with in_tenant_scope(tenant):
        users = list(User.objects.filter(tenant=tenant, email__iexact=email, is_active=True))
        for user in users:
            token = password_token_issue(tenant=tenant, user=user, purpose=PasswordToken.Purpose.RESET)
            audit_log_record(user=user, action="password_reset_requested", request=request)
            password_reset_send.delay_on_commit(user.pk, token)
