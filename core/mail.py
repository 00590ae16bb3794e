"""Each business's e-mail: rendered in its own branding, sent at most once per event.

A message is one event's (``key``: ``booking:12:confirmed``). Before anything goes out,
the key is claimed by a ``SentEmail`` row committed on its own, unique per business: a
second send of the key finds the row and sends nothing. A send the mail server refuses
releases its claim and raises, so the task's retry may try again; a worker that dies
after handing the message over leaves the claim, and its retry sends nothing. So a
message goes out at most once: losing one to a crash is better than sending it twice.
"""

from __future__ import annotations

import logging
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.models import SentEmail, TenantSettings
from core.tenancy import in_tenant_scope

# How the tasks that send e-mail retry: a mail server that is down or refuses for a while
# is tried again with back-off (SMTPException is an OSError, as are refused and timed-out
# connections). Each message is claimed once (business_email_send), so a retry never
# sends what went out already.
MAIL_TASK_RETRIES: dict[str, Any] = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}

log = logging.getLogger(__name__)


def business_frontend_url(*, tenant: TenantSettings, path: str) -> str:
    """``path`` on the business's own web app: its custom domain when it has one, else
    ``<slug>.<TENANT_BASE_DOMAIN>`` — the hosts resolution names the business by."""
    host = tenant.custom_domain or f"{tenant.slug}.{settings.TENANT_BASE_DOMAIN}"
    return f"https://{host}/{path.lstrip('/')}"


def business_sender(*, tenant: TenantSettings) -> str:
    """``"Salon X" <bookings@platform>``: the business's name on the platform's address."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((tenant.name, address or settings.DEFAULT_FROM_EMAIL))


def _branding(tenant: TenantSettings) -> dict[str, Any]:
    # Only the business's own fields reach a template, so nothing of another business can.
    return {
        "business": {
            "name": tenant.name,
            "primary_colour": tenant.primary_colour,
            "secondary_colour": tenant.secondary_colour,
            "logo_url": tenant.logo_url,
            "tagline": tenant.tagline,
        }
    }


def _claim(*, tenant: TenantSettings, key: str, to: list[str], subject: str) -> SentEmail | None:
    """The key's claim, committed before sending; None when it was claimed already."""
    try:
        with transaction.atomic():
            claim, created = SentEmail.objects.get_or_create(
                tenant=tenant,
                key=key,
                defaults={"recipient": ", ".join(to)[:1000], "subject": subject[:300]},
            )
    except IntegrityError:
        # A concurrent send of the same key inserted it between our read and our insert.
        return None
    return claim if created else None


def business_email_send(
    *, tenant: TenantSettings, key: str, to: list[str], subject: str, template: str, context: dict
) -> bool:
    """Send ``templates/mail/<template>.txt`` and ``.html`` to ``to`` as the business, once
    for ``key``. True when it was sent now, False when the key was sent (or claimed)
    before or there is nobody to send to. A failure of the mail server is raised, with
    the claim released, so the caller's retry sends it."""
    to = [address for address in to if address]
    if not to:
        return False
    # Rendered before the claim: a template error must not leave a claim behind.
    full_context = {**context, **_branding(tenant), "subject": subject}
    text = render_to_string(f"mail/{template}.txt", full_context)
    html = render_to_string(f"mail/{template}.html", full_context)
    with in_tenant_scope(tenant):
        claim = _claim(tenant=tenant, key=key, to=to, subject=subject)
        if claim is None:
            log.info("mail key=%s tenant=%s claimed before: not sent again", key, tenant.pk)
            return False
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=business_sender(tenant=tenant),
            to=to,
            reply_to=[tenant.reply_to_email] if tenant.reply_to_email else None,
        )
        message.attach_alternative(html, "text/html")
        try:
            message.send()
        except Exception:
            # The server refused it, so it was not sent: the claim goes and the retry may
            # send it. (A worker killed here keeps the claim: at most once.)
            with transaction.atomic():
                SentEmail.objects.filter(pk=claim.pk).delete()
            raise
        SentEmail.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
    return True
