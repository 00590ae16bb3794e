"""Creating, reading and changing staff members, through the real HTTP API with real JWTs."""

from __future__ import annotations

import pytest

from accounts.factories import TEST_PASSWORD, UserFactory
from accounts.models import User
from core.models import BusinessEvent
from core.tenancy import tenant_context
from staff import services
from staff.factories import StaffProfileFactory
from staff.models import StaffProfile
from staff.tests.conftest import ids
from tests.plugin import api_client_for, count_rows, fresh, one, rows

pytestmark = pytest.mark.django_db

PROFILES = "/api/staff/profiles/"
ME = "/api/staff/profiles/me/"


def new_member(**overrides) -> dict:
    body = {
        "username": "sam",
        "first_name": "Sam",
        "last_name": "Hart",
        "email": "Sam.Hart@Example.com",
        "role": "staff",
        "password": "a-long-unusual-passphrase-42",
        "job_title": "Stylist",
        "phone": "07700 900123",
        "employment_type": "part_time",
        "start_date": "2025-03-01",
        "hourly_rate": "12.50",
    }
    body.update(overrides)
    return body


# Creating a staff member ----------------------------------------------------------


def test_creating_a_staff_member_creates_the_user_and_the_profile_in_the_tenant(tenant_a, client_a, owner_a):
    response = client_a.post(PROFILES, new_member(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == "sam"
    assert body["full_name"] == "Sam Hart"
    assert "password" not in body
    user = one(User, username="sam")
    assert user.tenant_id == tenant_a.pk
    assert user.role == "staff"
    assert user.email == "sam.hart@example.com"
    assert user.check_password("a-long-unusual-passphrase-42")
    profile = rows(StaffProfile, user=user)[0]
    assert profile.tenant_id == tenant_a.pk
    assert (profile.job_title, profile.employment_type, str(profile.hourly_rate)) == ("Stylist", "part_time", "12.50")
    assert body["id"] == profile.pk and body["user"] == user.pk
    event = rows(BusinessEvent, tenant=tenant_a, kind=BusinessEvent.Kind.STAFF_CREATED)
    assert [(e.object_id, e.performed_by_id) for e in event] == [(str(profile.pk), owner_a.pk)]


def test_the_username_is_the_businesss_own_choice_in_lower_case_with_no_prefix(client_a, tenant_a):
    response = client_a.post(PROFILES, new_member(username="  Jo.Smith "), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["username"] == "jo.smith"
    assert one(User, username="jo.smith").tenant_id == tenant_a.pk


def test_without_a_password_the_account_cannot_sign_in(client_a):
    body = new_member()
    del body["password"]

    response = client_a.post(PROFILES, body, format="json")

    assert response.status_code == 201, response.content
    user = one(User, username="sam")
    assert not user.has_usable_password()


def test_a_taken_username_is_refused_and_nothing_is_written(tenant_a, client_a):
    UserFactory(tenant=tenant_a, username="sam", role="staff")
    users, profiles = count_rows(User), count_rows(StaffProfile)

    response = client_a.post(PROFILES, new_member(username="Sam"), format="json")

    assert response.status_code == 400, response.content
    assert "username" in response.json()
    assert (count_rows(User), count_rows(StaffProfile)) == (users, profiles)


@pytest.mark.parametrize("username", ["sam smith", "", "   ", "sam/smith", "x" * 151])
def test_an_invalid_username_is_refused(client_a, username):
    response = client_a.post(PROFILES, new_member(username=username), format="json")

    assert response.status_code == 400, response.content
    assert "username" in response.json()
    assert count_rows(StaffProfile) == 0


def test_a_weak_password_is_refused_and_nothing_is_written(client_a):
    response = client_a.post(PROFILES, new_member(password="password"), format="json")

    assert response.status_code == 400, response.content
    assert "password" in response.json()
    assert not count_rows(User, username="sam")
    assert count_rows(StaffProfile) == 0


def test_a_failure_after_the_user_is_saved_leaves_neither_row(tenant_a, owner_a, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("activity feed down")

    monkeypatch.setattr(services, "business_event_record", broken)

    with tenant_context(tenant_a), pytest.raises(RuntimeError, match="feed down"):
        services.staff_profile_create(tenant=tenant_a, created_by=owner_a, username="sam", job_title="Stylist")

    assert not count_rows(User, username="sam")
    assert count_rows(StaffProfile) == 0


def test_only_an_owner_may_create_a_manager(team_a):
    refused = team_a.client("manager").post(PROFILES, new_member(username="lee", role="manager"), format="json")
    assert refused.status_code == 403, refused.content
    assert not count_rows(User, username="lee")

    created = team_a.client("owner").post(PROFILES, new_member(username="lee", role="manager"), format="json")
    assert created.status_code == 201, created.content
    assert one(User, username="lee").role == "manager"

    # A manager may add staff-role members.
    staff = team_a.client("manager").post(PROFILES, new_member(username="jo"), format="json")
    assert staff.status_code == 201, staff.content
    assert one(User, username="jo").role == "staff"


def test_nobody_is_created_as_an_owner_here(client_a):
    response = client_a.post(PROFILES, new_member(role="owner"), format="json")

    assert response.status_code == 400, response.content
    assert "role" in response.json()
    assert not count_rows(User, username="sam")


def test_staff_cannot_create_staff(team_a):
    before = count_rows(StaffProfile)

    response = team_a.client("sam").post(PROFILES, new_member(username="jo"), format="json")

    assert response.status_code == 403, response.content
    assert count_rows(StaffProfile) == before
    assert not count_rows(User, username="jo")


# Reading ------------------------------------------------------------------------------


def test_a_staff_member_sees_only_their_own_profile(team_a):
    sam = team_a.client("sam")

    assert ids(sam.get(PROFILES)) == {team_a.sam_profile.pk}
    assert sam.get(f"{PROFILES}{team_a.kim_profile.pk}/").status_code == 404
    assert ids(team_a.client("manager").get(PROFILES)) == {
        team_a.owner_profile.pk,
        team_a.manager_profile.pk,
        team_a.sam_profile.pk,
        team_a.kim_profile.pk,
    }


def test_me_is_the_signed_in_users_profile_and_404_without_one(team_a, tenant_a):
    response = team_a.client("sam").get(ME)
    assert response.status_code == 200, response.content
    assert response.json()["id"] == team_a.sam_profile.pk
    assert response.json()["username"] == "tenant-a-sam"

    newcomer = UserFactory(tenant=tenant_a, username="tenant-a-new", role="staff")
    missing = api_client_for(newcomer).get(ME)
    assert missing.status_code == 404, missing.content


def test_profiles_filter_by_role_and_search_by_name(team_a):
    manager = team_a.client("manager")

    assert ids(manager.get(PROFILES, {"role": "staff"})) == {team_a.sam_profile.pk, team_a.kim_profile.pk}
    assert ids(manager.get(PROFILES, {"search": "Oduya"})) == {team_a.kim_profile.pk}


# Changing ----------------------------------------------------------------------------


def test_staff_may_change_their_contact_details_but_not_their_pay_or_title(team_a):
    sam = team_a.client("sam")
    url = f"{PROFILES}{team_a.sam_profile.pk}/"

    ok = sam.patch(url, {"phone": "07700 900999", "first_name": "Samuel"}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["phone"] == "07700 900999"
    assert fresh(team_a.sam).first_name == "Samuel"

    for change in ({"hourly_rate": "99.00"}, {"job_title": "Director"}, {"role": "manager"}, {"is_active": False}):
        refused = sam.patch(url, change, format="json")
        assert refused.status_code == 403, (change, refused.content)
    profile = rows(StaffProfile, pk=team_a.sam_profile.pk)[0]
    assert (str(profile.hourly_rate), profile.job_title, profile.is_active) == ("12.50", "Stylist", True)
    assert fresh(team_a.sam).role == "staff"

    assert sam.patch(f"{PROFILES}{team_a.kim_profile.pk}/", {"phone": "1"}, format="json").status_code == 404


def test_a_manager_edits_a_staff_member_but_not_their_username(team_a):
    manager = team_a.client("manager")
    url = f"{PROFILES}{team_a.sam_profile.pk}/"

    ok = manager.patch(url, {"job_title": "Senior stylist", "hourly_rate": "14.00", "last_name": "Hart-Jones"})
    assert ok.status_code == 200, ok.content
    assert ok.json()["job_title"] == "Senior stylist"
    assert fresh(team_a.sam).last_name == "Hart-Jones"

    refused = manager.patch(url, {"username": "samuel"}, format="json")
    assert refused.status_code == 400, refused.content
    assert fresh(team_a.sam).username == "tenant-a-sam"

    password = manager.patch(url, {"password": "another-long-passphrase-77"}, format="json")
    assert password.status_code == 400, password.content
    assert fresh(team_a.sam).check_password(TEST_PASSWORD)


def test_deactivating_a_staff_member_stops_them_signing_in(team_a):
    sam = team_a.client("sam")
    assert sam.get(ME).status_code == 200

    response = team_a.client("manager").post(f"{PROFILES}{team_a.sam_profile.pk}/deactivate/")

    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    assert fresh(team_a.sam).is_active is False
    assert sam.get(ME).status_code == 401
    login = api_client_for(HTTP_X_TENANT_SLUG="tenant-a").post(
        "/api/auth/token/", {"username": "tenant-a-sam", "password": TEST_PASSWORD}, format="json"
    )
    assert login.status_code == 401, login.content

    back = team_a.client("manager").post(f"{PROFILES}{team_a.sam_profile.pk}/reactivate/")
    assert back.status_code == 200, back.content
    assert fresh(team_a.sam).is_active is True


def test_staff_cannot_deactivate_anyone(team_a):
    response = team_a.client("sam").post(f"{PROFILES}{team_a.sam_profile.pk}/deactivate/")

    assert response.status_code == 403, response.content
    assert rows(StaffProfile, pk=team_a.sam_profile.pk)[0].is_active is True


def test_managers_are_appointed_and_deactivated_by_owners_only(team_a, tenant_a):
    manager = team_a.client("manager")
    other_manager = UserFactory(tenant=tenant_a, username="tenant-a-max", role="manager")
    other_profile = StaffProfileFactory(tenant=tenant_a, user=other_manager)

    assert manager.post(f"{PROFILES}{other_profile.pk}/deactivate/").status_code == 403
    assert manager.patch(f"{PROFILES}{team_a.sam_profile.pk}/", {"role": "manager"}, format="json").status_code == 403
    assert fresh(team_a.sam).role == "staff"

    promoted = team_a.client("owner").patch(f"{PROFILES}{team_a.sam_profile.pk}/", {"role": "manager"}, format="json")
    assert promoted.status_code == 200, promoted.content
    assert fresh(team_a.sam).role == "manager"
    assert team_a.client("owner").post(f"{PROFILES}{other_profile.pk}/deactivate/").status_code == 200


def test_nobody_deactivates_themselves_or_the_owner(team_a):
    own = team_a.client("manager").post(f"{PROFILES}{team_a.manager_profile.pk}/deactivate/")
    assert own.status_code == 400, own.content

    owner = team_a.client("owner").post(f"{PROFILES}{team_a.owner_profile.pk}/deactivate/")
    assert owner.status_code == 400, owner.content
    assert fresh(team_a.owner).is_active is True
