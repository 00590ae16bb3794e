"""WebSockets of one business: the ticket that opens one, the business it serves (the
host and ``X-Tenant-Slug`` rules of HTTP), and a consumer base whose database work runs
in that business's scope.

**Tickets.** A socket cannot carry an ``Authorization`` header from a browser, and a JWT
in a URL ends up in logs; so a signed-in user asks ``POST …/ws-ticket/`` for a ticket and
opens the socket with ``?ticket=…``. A ticket is a signed value (``django.core.signing``,
salted, timestamped) naming the user, the business and the exact host it was issued
on, and a random nonce: its expiry and its binding need no storage and cannot be forged.
Its single use is a claim of the nonce in the shared cache with ``add`` (Redis ``SET NX``:
of parallel uses exactly one wins), kept past the ticket's life so a claim never expires
before its ticket. Why not a table: a claim lives 30 s, and a row per socket would be a
tenant table in every export, policy and count for no lasting data; and sockets need
Redis anyway (the channel layer) once there is more than one web process. With Redis
unreachable the resilient cache answers ``add`` with False: tickets are refused, never
accepted twice.

**Groups.** A group name is built from the business's id and a name of the app's
(:func:`tenant_group_name`), so a subscription made in one business can never receive
what another business sends, whatever id a client names.

**Re-checks.** Every ``WEBSOCKET_RECHECK_SECONDS`` the consumer asks, in one small
query, whether its user is still active in its business and the business still active;
subclasses fold their own checks (channel memberships) into that query.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qs

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.db import transaction

from ..declarations import Tenant, tenant_model
from ..scope import no_tenant, tenant_context
from . import errors
from .cache import tenant_counter_key
from .resolution import named_tenant_by, normalise_host
from .socket_threads import in_thread as _in_thread

logger = logging.getLogger(__name__)
T = TypeVar("T")

TICKET_SECONDS = 30
TICKET_SALT = "core.tenancy.sockets.ticket"
# Close codes sent before anything else: the ticket (missing, expired, reused, forged,
# issued on another host or for another business) and the business or user refused.
CLOSE_TICKET = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_BIG = 1009
CLOSE_POLICY = 1008


class SocketRefusal(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def socket_ticket_issue(*, tenant: Tenant, user, host: str) -> str:
    """A ticket for ``user`` of ``tenant`` to open one socket on ``host``, once, within
    :data:`TICKET_SECONDS`."""
    payload = {"u": user.pk, "t": tenant.pk, "h": normalise_host(host), "n": secrets.token_urlsafe(16)}
    return signing.dumps(payload, salt=TICKET_SALT, compress=False)


@dataclass(frozen=True)
class SocketSession:
    tenant: Tenant
    user: Any


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def socket_session_open(scope: dict) -> SocketSession:
    """The business and user of a socket being opened, or a :class:`SocketRefusal`.

    The host and header name the business exactly as for HTTP; the ticket must be
    valid, issued on this very host for this business, and not used before; its user
    must still be an active member of the active business."""
    host = normalise_host(_header(scope, b"host"))
    path = scope.get("path", "")
    with no_tenant():
        try:
            named = named_tenant_by(host, _header(scope, b"x-tenant-slug"))
        except errors.TenancyRefusal as refusal:
            raise SocketRefusal(CLOSE_FORBIDDEN, refusal.code) from refusal
        raw = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("ticket") or [""])[0]
        try:
            ticket = signing.loads(raw, salt=TICKET_SALT, max_age=TICKET_SECONDS)
        except signing.BadSignature as exc:  # expired, forged or missing
            raise SocketRefusal(CLOSE_TICKET, "ticket_invalid") from exc
        tenant = tenant_model().objects.filter(pk=ticket["t"]).first()
        if tenant is None:
            raise SocketRefusal(CLOSE_TICKET, "ticket_invalid")
        if named.tenant is not None and named.tenant.pk != tenant.pk:
            errors.audit_refusal(
                "socket_ticket_foreign",
                kind="foreign_ticket",
                user_id=ticket["u"],
                user_tenant=tenant,
                requested_tenant=named.tenant,
                path=path,
            )
            raise SocketRefusal(CLOSE_TICKET, "ticket_foreign")
        if ticket["h"] != host:
            errors.audit_refusal(
                "socket_ticket_host", kind="foreign_ticket", user_id=ticket["u"], user_tenant=tenant, path=path
            )
            raise SocketRefusal(CLOSE_TICKET, "ticket_foreign")
        if not cache.add(tenant_counter_key(tenant, f"ws-ticket:{ticket['n']}"), 1, timeout=2 * TICKET_SECONDS):
            raise SocketRefusal(CLOSE_TICKET, "ticket_used")
    if not tenant.is_active:
        raise SocketRefusal(CLOSE_FORBIDDEN, "tenant_inactive")
    with tenant_context(tenant), transaction.atomic():
        user = get_user_model().objects.filter(pk=ticket["u"], tenant_id=tenant.pk, is_active=True).first()
    if user is None:
        raise SocketRefusal(CLOSE_FORBIDDEN, "user_inactive")
    return SocketSession(tenant=tenant, user=user)


def tenant_group_name(tenant: Tenant | int, name: str) -> str:
    """The channel-layer group of ``name`` in one business: the business is part of the
    name, so no group is shared by two businesses."""
    tenant_id = getattr(tenant, "pk", tenant)
    if not isinstance(tenant_id, int):
        raise ValueError("A tenant group needs a saved tenant.")
    return f"tenant.{tenant_id}.{name}"


def tenant_group_send_on_commit(*, tenant: Tenant, name: str, event: dict) -> None:
    """Send ``event`` to the business's group ``name`` once the running transaction
    commits (never if it rolls back). A channel layer that is down or slow is logged:
    it never turns a committed write into an error."""
    group = tenant_group_name(tenant, name)

    def send() -> None:
        try:
            async_to_sync(_group_send)(group, event)
        except Exception:  # the write is committed; live delivery is best effort
            logger.warning("socket broadcast failed group=%s", group, exc_info=True)

    transaction.on_commit(send)


async def _group_send(group: str, event: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        await asyncio.wait_for(layer.group_send(group, event), timeout=settings.WEBSOCKET_SEND_TIMEOUT_SECONDS)


def _in_scope(tenant: Tenant, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with tenant_context(tenant), transaction.atomic():
        return work(*args, **kwargs)


class TenantSocketConsumer(AsyncWebsocketConsumer):
    """A JSON WebSocket of one business and one user (see the module's docstring).

    Subclasses map frame types to handlers in ``frame_handlers`` (``{"subscribe":
    "on_subscribe"}``), run database work with :meth:`in_scope`, join groups with
    :meth:`group_join`, and may override :meth:`recheck` (sync, in scope). Every frame
    is size-limited and rate-limited per connection; malformed JSON or an unknown type
    is answered with an error frame; a handler's failure is logged and answered, never
    the end of the socket."""

    frame_handlers: dict[str, str] = {}

    async def connect(self) -> None:
        self.tenant, self.user, self.groups_joined = None, None, set()
        self._tokens, self._filled_at = float(settings.WEBSOCKET_FRAME_BURST), time.monotonic()
        self._recheck_task: asyncio.Task | None = None
        try:
            session = await _in_thread(socket_session_open)(self.scope)
        except SocketRefusal as refusal:
            logger.info("socket refused code=%s reason=%s", refusal.code, refusal.reason)
            # Accepted only to say why: the close code is the first and only thing sent.
            await self.accept()
            await self.close(code=refusal.code)
            return
        self.tenant, self.user = session.tenant, session.user
        await self.accept()
        self._recheck_task = asyncio.create_task(self._recheck_loop())

    async def disconnect(self, code: int) -> None:
        if self._recheck_task is not None:
            self._recheck_task.cancel()
        for group in list(self.groups_joined):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined.clear()

    async def in_scope(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``work`` in a thread, in the business's scope, in a transaction (on
        PostgreSQL the transaction is told the business: row-level security applies)."""
        return await _in_thread(_in_scope)(self.tenant, work, *args, **kwargs)

    async def group_join(self, name: str) -> None:
        group = tenant_group_name(self.tenant, name)
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.add(group)

    async def group_leave(self, name: str) -> None:
        group = tenant_group_name(self.tenant, name)
        await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined.discard(group)

    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content))

    async def send_error(self, code: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, **extra})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.tenant is None:
            return
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > settings.WEBSOCKET_MAX_FRAME_BYTES:
            await self.close(code=CLOSE_TOO_BIG)
            return
        if not self._take_token():
            if self._tokens < -settings.WEBSOCKET_FRAME_BURST:  # still sending, far past the limit
                await self.close(code=CLOSE_POLICY)
            else:
                await self.send_error("rate_limited")
            return
        try:
            frame = json.loads(text_data if text_data is not None else bytes_data)
        except (ValueError, UnicodeDecodeError):
            await self.send_error("malformed")
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_error("malformed")
            return
        handler = self.frame_handlers.get(frame["type"])
        if handler is None:
            await self.send_error("unknown_type")
        else:
            try:
                await getattr(self, handler)(frame)
            except Exception:
                logger.exception("socket frame failed type=%s tenant=%s", frame["type"], self.tenant.pk)
                await self.send_error("server_error")

    def _take_token(self) -> bool:
        now = time.monotonic()
        rate, burst = settings.WEBSOCKET_FRAMES_PER_SECOND, settings.WEBSOCKET_FRAME_BURST
        self._tokens = min(float(burst), self._tokens + (now - self._filled_at) * rate)
        self._filled_at = now
        self._tokens -= 1
        return self._tokens >= 0

    def recheck(self) -> bool:
        """Whether the socket may stay open: one query, in the business's scope (a user
        moved to another business is not found in this one)."""
        users = get_user_model().objects.filter(pk=self.user.pk, is_active=True, tenant__is_active=True)
        return users.exists()

    async def after_recheck(self, result: Any) -> None:
        """What a subclass does with its :meth:`recheck`'s answer beyond open or closed."""

    async def _recheck_loop(self) -> None:
        while True:
            await asyncio.sleep(settings.WEBSOCKET_RECHECK_SECONDS)
            try:
                result = await self.in_scope(self.recheck)
            except Exception:  # a database hiccup: try again next time, keep serving
                logger.warning("socket recheck failed tenant=%s", self.tenant.pk, exc_info=True)
                continue
            if not result:
                logger.info("socket closed by recheck tenant=%s user=%s", self.tenant.pk, self.user.pk)
                await self.close(code=CLOSE_FORBIDDEN)
                return
            await self.after_recheck(result)
