"""The names a tenant is reached by: its slug (a host label, ``<slug>.TENANT_BASE_DOMAIN``,
and the ``X-Tenant-Slug`` header) and its custom domain, in one spelling each, never a
host the platform or another tenant already answers to."""

from __future__ import annotations

import ipaddress
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http.request import validate_host

MAX_DOMAIN_LENGTH = 253
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def validate_tenant_slug(value: str) -> None:
    """A slug is a DNS label in its one spelling: lower-case letters, digits and inner
    hyphens. Resolution looks slugs up lower-cased and as ``<slug>.TENANT_BASE_DOMAIN``,
    so any other spelling would name a business no request can reach."""
    if not isinstance(value, str) or not _LABEL.fullmatch(value):
        raise ValidationError(
            "Use lower-case letters, digits and hyphens (not first or last), at most 63 characters.",
            code="invalid_slug",
        )


validate_tenant_slug.__module__ = "core.tenancy"  # what migration files import: the face


def normalise_custom_domain(value: str | None) -> str | None:
    """The one spelling a domain is stored and looked up by: lower case, ASCII
    (IDNA), no trailing dot; ``None`` for an empty value. Refuses anything that is not
    a bare host name (a scheme, a path, a port, an IP address, a wildcard)."""
    domain = (value or "").strip().lower().rstrip(".")
    if not domain:
        return None
    if any(mark in domain for mark in ("/", ":", "@", "*", " ", "?", "#", "\\")):
        raise ValidationError("Give the bare domain name, like bookings.example.com.", code="invalid_domain")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError("This is not a valid domain name.", code="invalid_domain") from exc
    labels = domain.split(".")
    if len(domain) > MAX_DOMAIN_LENGTH or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError("This is not a valid domain name.", code="invalid_domain")
    if labels[-1].isdigit() or _is_ip_address(domain):
        raise ValidationError("Use a domain name, not an IP address.", code="invalid_domain")
    return domain


def validate_custom_domain(domain: str) -> None:
    """Refuse a domain the platform answers to by itself: its own hosts, and the
    ``<slug>.TENANT_BASE_DOMAIN`` names, which belong to whichever tenant has that slug."""
    base = settings.TENANT_BASE_DOMAIN
    if validate_host(domain, settings.TENANCY_PLATFORM_HOSTS) or (base and domain.endswith("." + base)):
        raise ValidationError("This domain belongs to the platform itself.", code="platform_domain")
    if domain == "localhost" or domain.endswith(".localhost"):
        raise ValidationError("This domain belongs to the platform itself.", code="platform_domain")


def clean_custom_domain(value: str | None) -> str | None:
    domain = normalise_custom_domain(value)
    if domain is not None:
        validate_custom_domain(domain)
    return domain


def _is_ip_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
