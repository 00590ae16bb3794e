"""Channel members under ``/api/comms/channels/{channel_pk}/members/``: who reads them,
who manages them, and that a member is always a person of the channel's business."""

from __future__ import annotations

import pytest

from accounts.factories import UserFactory
from comms.models import ChannelMember
from comms.tests.helpers import channel_with
from tests.isolation import snapshot
from tests.plugin import api_client_for, count_rows, rows

pytestmark = pytest.mark.django_db


def members_url(channel, member=None) -> str:
    url = f"/api/comms/channels/{channel.pk}/members/"
    return f"{url}{member.pk}/" if member is not None else url


def member_of(channel, user) -> ChannelMember:
    return rows(ChannelMember, channel=channel, user=user)[0]


def test_members_are_listed_for_whoever_sees_the_channel(owner_a, staff_a, other_staff_a, front_desk, office):
    response = api_client_for(other_staff_a).get(members_url(front_desk))

    assert response.status_code == 200, response.content
    assert {(m["username"], m["is_admin"]) for m in response.json()["results"]} == {
        (owner_a.username, True),
        (staff_a.username, False),
    }
    # A private channel's members are as hidden as the channel.
    assert api_client_for(other_staff_a).get(members_url(office)).status_code == 404


def test_channel_admins_and_managers_add_members_other_members_cannot(
    tenant_a, manager_a, staff_a, other_staff_a, front_desk
):
    by_member = api_client_for(staff_a).post(members_url(front_desk), {"user": other_staff_a.pk}, format="json")
    assert by_member.status_code == 403
    assert count_rows(ChannelMember, channel=front_desk, user=other_staff_a) == 0

    by_manager = api_client_for(manager_a).post(members_url(front_desk), {"user": other_staff_a.pk}, format="json")
    assert by_manager.status_code == 201, by_manager.content
    assert by_manager.json()["channel"] == front_desk.pk

    staff_channel = channel_with(tenant_a, admins=[staff_a], name="staff-room", is_private=True)
    by_admin = api_client_for(staff_a).post(
        members_url(staff_channel), {"user": other_staff_a.pk, "is_admin": True}, format="json"
    )
    assert by_admin.status_code == 201, by_admin.content
    assert member_of(staff_channel, other_staff_a).is_admin is True


def test_adding_someone_twice_is_refused(owner_a, staff_a, front_desk):
    response = api_client_for(owner_a).post(members_url(front_desk), {"user": staff_a.pk}, format="json")

    assert response.status_code == 400
    assert "user" in response.json()
    assert count_rows(ChannelMember, channel=front_desk, user=staff_a) == 1


def test_a_user_of_another_business_cannot_be_added(tenant_a, tenant_b, owner_a, owner_b, front_desk):
    """Tenant B's owner adding a tenant-A user to B's channel, and A adding B's user to A's."""
    b_channel = channel_with(tenant_b, admins=[owner_b], name="b-team")
    before = snapshot(tenant_a), snapshot(tenant_b)

    into_b = api_client_for(owner_b).post(members_url(b_channel), {"user": owner_a.pk}, format="json")
    into_a = api_client_for(owner_a).post(members_url(front_desk), {"user": owner_b.pk}, format="json")

    assert into_b.status_code == 400
    assert "user" in into_b.json()
    assert into_a.status_code == 400
    assert (snapshot(tenant_a), snapshot(tenant_b)) == before


def test_platform_operators_are_not_members_of_a_business(operator, owner_a, front_desk):
    response = api_client_for(owner_a).post(members_url(front_desk), {"user": operator.pk}, format="json")

    assert response.status_code == 400
    assert count_rows(ChannelMember, channel=front_desk, user=operator) == 0


def test_members_remove_themselves_admins_remove_others(owner_a, staff_a, other_staff_a, front_desk):
    other = channel_with(front_desk.tenant, admins=[owner_a], members=[staff_a, other_staff_a], name="other")

    by_peer = api_client_for(other_staff_a).delete(members_url(other, member_of(other, staff_a)))
    assert by_peer.status_code == 403
    assert count_rows(ChannelMember, channel=other, user=staff_a) == 1

    by_self = api_client_for(other_staff_a).delete(members_url(other, member_of(other, other_staff_a)))
    by_admin = api_client_for(owner_a).delete(members_url(other, member_of(other, staff_a)))
    assert (by_self.status_code, by_admin.status_code) == (204, 204)
    assert [m.user_id for m in rows(ChannelMember, channel=other)] == [owner_a.pk]


def test_admins_promote_members_but_a_channel_keeps_an_admin(owner_a, staff_a, front_desk):
    admin = api_client_for(owner_a)

    promoted = admin.patch(members_url(front_desk, member_of(front_desk, staff_a)), {"is_admin": True}, format="json")
    assert promoted.status_code == 200, promoted.content
    assert member_of(front_desk, staff_a).is_admin is True

    api_client_for(staff_a).patch(members_url(front_desk, member_of(front_desk, owner_a)), {"is_admin": False})
    assert member_of(front_desk, owner_a).is_admin is False
    last = api_client_for(staff_a).patch(
        members_url(front_desk, member_of(front_desk, staff_a)), {"is_admin": False}, format="json"
    )
    assert last.status_code == 400
    assert member_of(front_desk, staff_a).is_admin is True


def test_a_membership_keeps_its_person(tenant_a, owner_a, staff_a, other_staff_a, front_desk):
    response = api_client_for(owner_a).put(
        members_url(front_desk, member_of(front_desk, staff_a)),
        {"user": other_staff_a.pk, "is_admin": False},
        format="json",
    )

    assert response.status_code == 400
    assert count_rows(ChannelMember, channel=front_desk, user=other_staff_a) == 0


def test_a_member_of_one_channel_is_not_reachable_through_another(tenant_a, owner_a, staff_a, front_desk):
    other = channel_with(tenant_a, admins=[owner_a], name="other")
    foreign_member = member_of(front_desk, staff_a)

    assert api_client_for(owner_a).get(members_url(other, foreign_member)).status_code == 404
    assert api_client_for(owner_a).delete(members_url(other, foreign_member)).status_code == 404
    assert count_rows(ChannelMember, pk=foreign_member.pk) == 1


def test_staff_in_a_channel_do_not_see_members_of_a_private_one(tenant_a, other_staff_a, office):
    outsider = UserFactory(tenant=tenant_a, role="staff")

    assert api_client_for(outsider).post(members_url(office), {"user": outsider.pk}, format="json").status_code == 404
    assert count_rows(ChannelMember, channel=office, user=outsider) == 0
