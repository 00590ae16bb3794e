"""Writes of the accounts app."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from accounts.models import AuditLogEntry, User
from core.models import TenantSettings
from core.network import client_address
from core.ratelimit import Reservation, attempt_release, attempt_reserve
from core.tenancy import after_response, tenant_context

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
