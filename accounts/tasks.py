"""E-mails of the accounts app, sent by the background workers in the business's scope.

Each task is given the raw token it mails: the token must reach the e-mail, and it is
single-use and expires, so it lives in the broker no longer than the link does. It is
never logged; the e-mail's idempotency key is derived from its hash.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

from accounts.models import PasswordToken, User
from core.mail import MAIL_TASK_RETRIES, business_email_send, business_frontend_url
from core.models import TenantSettings
from core.tenancy import get_current_tenant, tenant_task


def password_set_url(*, tenant: TenantSettings, token: str) -> str:
    """The link that sets a password with ``token``: the frontend's page at the business's
    own host, which posts the token to ``/api/auth/password-set/``."""
    return business_frontend_url(tenant=tenant, path="/password/set?" + urlencode({"token": token}))


def _live_token_user(user_id: int, token: str) -> User | None:
    """The user ``token`` still sets the password of, or None when the token was used,
    superseded or expired (or its user deactivated) before the e-mail went: a stale link
    is not sent."""
    row = (
        PasswordToken.objects.select_related("user")
        .filter(
            token_hash=PasswordToken.hash_of(token),
            user_id=user_id,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if row is None or not row.user.is_active or not row.user.email:
        return None
    return row.user


def _duration(minutes: int) -> str:
    """``minutes`` as the e-mail says it: "7 days", "1 hour", "90 minutes"."""
    for unit, size in (("day", 24 * 60), ("hour", 60)):
        if minutes >= size and minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _send_password_link(*, user_id: int, token: str, template: str, subject: str, valid_minutes: int) -> bool:
    tenant = get_current_tenant()
    user = _live_token_user(user_id, token)
    if tenant is None or user is None:
        return False
    token_hash = PasswordToken.hash_of(token)
    return business_email_send(
        tenant=tenant,
        key=f"{template}:{token_hash}",
        to=[user.email],
        subject=subject.format(business=tenant.name),
        template=template,
        context={
            "user": user,
            "link": password_set_url(tenant=tenant, token=token),
            "valid_for": _duration(valid_minutes),
        },
    )


@tenant_task(**MAIL_TASK_RETRIES)  # a link that stopped working meanwhile is not sent
def invitation_send(user_id: int, token: str) -> bool:
    """E-mail a new staff member the link that sets their first password."""
    return _send_password_link(
        user_id=user_id,
        token=token,
        template="invitation",
        subject="You're invited to {business}",
        valid_minutes=settings.PASSWORD_INVITE_HOURS * 60,
    )


@tenant_task(**MAIL_TASK_RETRIES)  # a link that stopped working meanwhile is not sent
def password_reset_send(user_id: int, token: str) -> bool:
    """E-mail a member the link that sets a new password."""
    return _send_password_link(
        user_id=user_id,
        token=token,
        template="password_reset",
        subject="{business}: reset your password",
        valid_minutes=settings.PASSWORD_RESET_MINUTES,
    )
