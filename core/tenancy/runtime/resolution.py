"""Which tenant a request names: by host, by ``X-Tenant-Slug``, by its user."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port, validate_host

from ..declarations import Tenant, tenant_model
from . import errors
from .cache import cached_tenant

TENANT_HEADER = "X-Tenant-Slug"


@dataclass(frozen=True)
class NamedTenant:
    tenant: Tenant | None
    source: str  # "host", "header", "fallback" or ""


def normalise_host(raw_host: str) -> str:
    domain, _port = split_domain_port(raw_host.lower())
    return domain.rstrip(".")


def is_platform_host(request: HttpRequest) -> bool:
    """Whether the request came to a platform host (not a business's subdomain or domain):
    where platform-only endpoints (``/metrics``) answer."""
    return validate_host(normalise_host(request.get_host()), settings.TENANCY_PLATFORM_HOSTS)


def tenant_by_slug(slug: str) -> Tenant:
    tenant = cached_tenant("slug", slug.strip().lower())
    if tenant is None:
        raise errors.unknown_tenant()
    return tenant


def tenant_for_host(host: str) -> Tenant | None:
    """The tenant a host names; None for a platform host; refuses any other host."""
    if validate_host(host, settings.TENANCY_PLATFORM_HOSTS):
        return None
    base = settings.TENANT_BASE_DOMAIN
    if base and host.endswith("." + base):
        subdomain = host[: -len(base) - 1]
        if "." in subdomain:
            raise errors.unknown_host()
        return tenant_by_slug(subdomain)
    tenant = cached_tenant("custom_domain", host)
    if tenant is None:
        raise errors.unknown_host()
    return tenant


def named_tenant(request: HttpRequest) -> NamedTenant:
    """The tenant named by the host and the header, before the user is considered."""
    return named_tenant_by(normalise_host(request.get_host()), request.headers.get(TENANT_HEADER, ""))


def named_tenant_by(host: str, slug: str) -> NamedTenant:
    """The tenant a (normalised) host and an ``X-Tenant-Slug`` value name: one rule for
    HTTP requests and WebSockets (``runtime.sockets``)."""
    host_tenant = tenant_for_host(host)
    slug = slug.strip()
    header_tenant = tenant_by_slug(slug) if slug else None
    if host_tenant and header_tenant and host_tenant.pk != header_tenant.pk:
        raise errors.tenant_conflict()
    if host_tenant:
        return NamedTenant(host_tenant, "host")
    if header_tenant:
        return NamedTenant(header_tenant, "header")
    return NamedTenant(None, "")


def fallback_tenant() -> NamedTenant:
    slug = settings.TENANT_FALLBACK_SLUG
    if not slug:
        return NamedTenant(None, "")
    return NamedTenant(tenant_model().objects.filter(slug=slug).first(), "fallback")
