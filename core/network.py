"""The address of the client behind the platform's own proxies."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def peer_is_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the request came straight from one of ``TRUSTED_PROXIES``, whose headers
    (``X-Forwarded-For``, ``X-Request-ID``) the platform believes."""
    return address_is_trusted_proxy(request.META.get("REMOTE_ADDR", "") or "")


def address_is_trusted_proxy(address: str) -> bool:
    """Whether ``address`` (a peer's) is one of ``TRUSTED_PROXIES``."""
    return _is_trusted(address, _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The client's address: the peer, or, when the peer is one of ``TRUSTED_PROXIES``
    (the frontends' proxy, a load balancer), the last address in ``X-Forwarded-For``
    that no trusted proxy wrote.

    Read from the right, because each proxy appends the address it was called from:
    everything left of the first untrusted address is whatever the client chose to
    send, and trusting it would let any visitor pick a fresh identity per request.
    """
    peer = request.META.get("REMOTE_ADDR", "") or ""
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    forwarded = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    for hop in reversed(forwarded):
        if not _is_trusted(hop, trusted):
            return hop if _is_address(hop) else peer
    return forwarded[0] if forwarded and _is_address(forwarded[0]) else peer


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
