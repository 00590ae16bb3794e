"""Reads of the comms app. Every function takes the tenant explicitly."""

from __future__ import annotations

from django.db.models import Count, Exists, F, FilteredRelation, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from comms.models import Channel, ChannelMember, Message
from core.models import TenantSettings
from core.permissions import MANAGERS, has_role
from core.tenancy import scope_queryset


def _channels(tenant: TenantSettings, queryset: QuerySet | None) -> QuerySet:
    return scope_queryset(queryset if queryset is not None else Channel.objects.all(), tenant)


def _members(tenant: TenantSettings) -> QuerySet:
    return scope_queryset(ChannelMember.objects.all(), tenant)


def _channel_ids_of(tenant: TenantSettings, user: User) -> QuerySet:
    return _members(tenant).filter(user=user).values("channel_id")


def channels_visible_to(*, tenant: TenantSettings, user: User, queryset: QuerySet | None = None) -> QuerySet:
    """Public channels and the private ones ``user`` belongs to; owners and managers see all."""
    channels = _channels(tenant, queryset)
    if has_role(user, MANAGERS):
        return channels
    return channels.filter(Q(is_private=False) | Q(pk__in=_channel_ids_of(tenant, user)))


def channels_of_member(*, tenant: TenantSettings, user: User, queryset: QuerySet | None = None) -> QuerySet:
    """The channels ``user`` is a member of: the ones whose messages they may read and post."""
    return _channels(tenant, queryset).filter(pk__in=_channel_ids_of(tenant, user))


def channels_with_activity(*, tenant: TenantSettings, user: User, queryset: QuerySet | None = None) -> QuerySet:
    """Channels annotated with ``is_member``, ``is_admin``, ``member_count`` and ``unread_count``.

    ``unread_count`` counts the messages others posted after the user last read the
    channel (all of them if never), 0 where the user is no member. Each figure is a
    correlated subquery, so a page of channels costs one query, whatever its length.
    """
    membership = _members(tenant).filter(channel=OuterRef("pk"), user=user)
    unread = (
        scope_queryset(Message.objects.all(), tenant)
        .filter(channel=OuterRef("pk"))
        .exclude(author=user)
        .filter(
            Q(channel__members__user=user)
            & (Q(channel__members__last_read_at__isnull=True) | Q(created_at__gt=F("channel__members__last_read_at")))
        )
        .order_by()
        .values("channel")
        .annotate(count=Count("pk"))
        .values("count")
    )
    members = (
        _members(tenant)
        .filter(channel=OuterRef("pk"))
        .order_by()
        .values("channel")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return _channels(tenant, queryset).annotate(
        is_member=Exists(membership),
        is_admin=Exists(membership.filter(is_admin=True)),
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)),
        unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
    )


def membership_of(*, tenant: TenantSettings, channel: Channel, user: User) -> ChannelMember | None:
    return _members(tenant).filter(channel=channel, user=user).first()


def is_channel_admin(*, tenant: TenantSettings, channel: Channel, user: User) -> bool:
    return _members(tenant).filter(channel=channel, user=user, is_admin=True).exists()


def messages_readable_by(*, tenant: TenantSettings, user: User, queryset: QuerySet | None = None) -> QuerySet:
    """Messages of the channels ``user`` is a member of (the parents of attachments)."""
    messages = scope_queryset(queryset if queryset is not None else Message.objects.all(), tenant)
    return messages.filter(channel__in=_channel_ids_of(tenant, user))


def channel_readable_by(*, tenant: TenantSettings, user: User, channel_id: object) -> Channel | None:
    """The channel whose messages ``user`` may read (REST: ``channels/{id}/messages/``),
    or None, alike for another business's, a hidden and a missing one, or a malformed id."""
    if isinstance(channel_id, bool) or not isinstance(channel_id, int):
        return None
    return channels_of_member(tenant=tenant, user=user).filter(pk=channel_id).first()


def socket_channels_kept(*, tenant: TenantSettings, user: User, channel_ids: set[int]) -> set[int] | None:
    """For an open socket, in one query: None when ``user`` is no longer an active member
    of the active business (deactivated, moved, the business deactivated); else which of
    ``channel_ids`` they still belong to."""
    users = scope_queryset(User.objects.all(), tenant).filter(pk=user.pk, is_active=True, tenant__is_active=True)
    if not channel_ids:
        return set() if users.exists() else None
    kept = users.annotate(
        kept=FilteredRelation("channel_memberships", condition=Q(channel_memberships__channel_id__in=channel_ids))
    ).values_list("kept__channel_id", flat=True)
    rows = list(kept)
    return None if not rows else {channel_id for channel_id in rows if channel_id is not None}
