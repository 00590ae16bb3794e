"""A new business: made by the command, the operators' API or the admin, all through one
service; its owner invited by a link that sets their password once, at that business only;
a refused detail leaves nothing behind."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import AuditLogEntry, PasswordToken, User
from core.lifecycle import onboarding
from core.models import PlatformAuditRecord, TenantSettings
from core.tenancy import unscoped_all_tenants
from staff.models import StaffProfile
from tests.plugin import api_client_for, browser, count_rows, one
from tests.rls import as_runtime_role, needs_postgresql
from tests.test_rls import three_roles

PLATFORM = "/api/platform/tenants/"
SET = "/api/auth/password-set/"
LOGIN = "/api/auth/token/"
ADMIN_ADD = "/admin/core/tenantsettings/add/"
PASSWORD = "a-long-new-passphrase-42"
TOKEN_INVALID = {
    "detail": "This link is invalid, already used or expired; ask for a new one.",
    "code": "token_invalid",
}


def at(slug: str) -> APIClient:
    """An anonymous client of the business ``slug``, named by header as its frontend does."""
    return APIClient(HTTP_X_TENANT_SLUG=slug)


def link_token(text: str) -> str:
    return re.search(r"/password/set\?token=([A-Za-z0-9_-]+)", text).group(1)


def written() -> dict[str, int]:
    """Everything onboarding writes, counted across every business."""
    with unscoped_all_tenants("test count"):
        audits = PlatformAuditRecord.objects.count()
    return {
        "tenants": TenantSettings.objects.count(),
        "users": count_rows(User),
        "profiles": count_rows(StaffProfile),
        "tokens": count_rows(PasswordToken),
        "audit_log": count_rows(AuditLogEntry),
        "platform_audit": audits,
        "mails": len(mail.outbox),
    }


@pytest.fixture
def create_tenant(django_capture_on_commit_callbacks):
    """``manage.py create_tenant`` with its arguments; what it left for after the commit
    (the e-mail, the platform's audit record) runs as it would. Returns its output."""

    def run(*args: str) -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("create_tenant", *args, stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def posted(django_capture_on_commit_callbacks):
    def post(client, path: str, data: dict):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data, format="json")

    return post


ACME = ["acme", "--name", "Acme Ltd", "--owner-email", "Jane.Doe@Example.com"]


# The command -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_creates_the_business_its_owner_and_defaults_and_invites_the_owner(create_tenant):
    output = create_tenant(*ACME, "--timezone", "Europe/Dublin")

    tenant = TenantSettings.objects.get(slug="acme")
    assert (tenant.name, tenant.timezone, tenant.custom_domain, tenant.is_demo, tenant.is_active) == (
        "Acme Ltd",
        "Europe/Dublin",
        None,
        False,
        True,
    )
    owner = one(User, tenant=tenant)
    assert (owner.username, owner.email, owner.role) == ("jane.doe", "jane.doe@example.com", User.Role.OWNER)
    assert not owner.has_usable_password()
    assert one(StaffProfile, tenant=tenant).user_id == owner.pk
    assert one(PasswordToken, user=owner).purpose == PasswordToken.Purpose.INVITE
    assert one(AuditLogEntry, user=owner).action == "invitation_sent"

    [message] = mail.outbox
    assert message.to == ["jane.doe@example.com"] and "Acme Ltd" in message.subject
    token = link_token(message.body)
    assert f"https://acme.localhost/password/set?token={token}" in output
    assert "jane.doe" in output and "Acme Ltd (acme)" in output

    with unscoped_all_tenants("test read"):
        [record] = PlatformAuditRecord.objects.all()
    assert (record.action, record.business_id, record.business_slug) == (
        PlatformAuditRecord.Action.CREATED,
        tenant.pk,
        "acme",
    )
    assert record.performed_by.startswith("command ") and record.details["owner"] == "jane.doe"


@pytest.mark.django_db
def test_the_invitation_sets_the_owners_password_once_and_they_sign_in(create_tenant):
    create_tenant(*ACME)
    token = link_token(mail.outbox[0].body)

    first = at("acme").post(SET, {"token": token, "password": PASSWORD}, format="json")
    again = at("acme").post(SET, {"token": token, "password": "another-long-passphrase-7"}, format="json")

    assert (first.status_code, again.status_code, again.json()) == (200, 400, TOKEN_INVALID)
    login = at("acme").post(LOGIN, {"username": "jane.doe", "password": PASSWORD}, format="json")
    assert login.status_code == 200, login.json()
    me = api_client_for().get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}").json()
    assert (me["username"], me["role"]) == ("jane.doe", "owner")


@pytest.mark.django_db
def test_the_invitation_works_at_its_own_business_only(create_tenant, tenant_a):
    create_tenant(*ACME)
    token = link_token(mail.outbox[0].body)

    elsewhere = at("tenant-a").post(SET, {"token": token, "password": PASSWORD}, format="json")

    assert (elsewhere.status_code, elsewhere.json()) == (400, TOKEN_INVALID)
    assert at("acme").post(SET, {"token": token, "password": PASSWORD}, format="json").status_code == 200


@pytest.mark.django_db
def test_a_demo_business_with_its_own_domain(create_tenant):
    output = create_tenant(*ACME, "--domain", "Bookings.Acme.Example.", "--demo")

    tenant = TenantSettings.objects.get(slug="acme")
    assert (tenant.custom_domain, tenant.is_demo) == ("bookings.acme.example", True)
    assert "https://bookings.acme.example/password/set?token=" in output
    assert "https://bookings.acme.example/password/set?token=" in mail.outbox[0].body


@pytest.fixture
def taken_business(db):
    """A business using the slug ``taken`` and the domain ``bookings.taken.example``."""
    return TenantSettings.objects.create(slug="taken", name="Taken", custom_domain="bookings.taken.example")


BAD_INPUTS = {
    "bad slug": (["Acme_Ltd", "--name", "Acme", "--owner-email", "jane@example.com"], "SLUG"),
    "taken slug": (["taken", "--name", "Acme", "--owner-email", "jane@example.com"], "SLUG"),
    "no name": (["acme", "--name", "  ", "--owner-email", "jane@example.com"], "--name"),
    "bad e-mail": (["acme", "--name", "Acme", "--owner-email", "jane.example.com"], "--owner-email"),
    "bad domain": ([*ACME, "--domain", "https://acme.example/"], "--domain"),
    "taken domain": ([*ACME, "--domain", "BOOKINGS.taken.example"], "--domain"),
    "platform's domain": ([*ACME, "--domain", "acme.localhost"], "--domain"),
    "bad zone": ([*ACME, "--timezone", "Mars/Olympus_Mons"], "--timezone"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_a_refused_detail_is_named_and_nothing_is_written(case, taken_business, create_tenant):
    args, option = BAD_INPUTS[case]
    before = written()

    with pytest.raises(CommandError) as refused:
        create_tenant(*args)

    assert f"{option}: " in str(refused.value)
    assert written() == before


@pytest.mark.django_db
def test_every_refused_detail_is_named_at_once(create_tenant):
    with pytest.raises(CommandError) as refused:
        create_tenant("Bad Slug", "--name", "", "--owner-email", "nobody", "--domain", "a b", "--timezone", "Nowhere")
    assert all(f"{option}: " in str(refused.value) for option in ("SLUG", "--name", "--owner-email", "--domain"))
    assert "--timezone: " in str(refused.value)


def failing_default(*, tenant, owner) -> None:
    raise RuntimeError("a default could not be made")


@pytest.mark.django_db
def test_a_failure_after_the_first_write_leaves_nothing(create_tenant, monkeypatch):
    monkeypatch.setattr(onboarding, "BUSINESS_DEFAULTS", (*onboarding.BUSINESS_DEFAULTS, f"{__name__}.failing_default"))
    before = written()

    with pytest.raises(RuntimeError):
        create_tenant(*ACME)

    assert written() == before


# The operators' API ----------------------------------------------------------------

BODY = {"slug": "acme", "name": "Acme Ltd", "owner_email": "jane@example.com"}


@pytest.mark.django_db
def test_an_operator_creates_a_business_and_its_owner_is_invited(operator, posted):
    response = posted(api_client_for(operator), PLATFORM, {**BODY, "domain": "bookings.acme.example"})

    assert response.status_code == 201, response.json()
    body = response.json()
    tenant = TenantSettings.objects.get(slug="acme")
    owner = one(User, tenant=tenant)
    assert {key: body[key] for key in ("id", "slug", "name", "custom_domain", "timezone", "is_demo")} == {
        "id": tenant.pk,
        "slug": "acme",
        "name": "Acme Ltd",
        "custom_domain": "bookings.acme.example",
        "timezone": "Europe/London",
        "is_demo": False,
    }
    assert body["owner"] == {"id": owner.pk, "username": "jane", "email": "jane@example.com"}
    assert body["invitation_url"].startswith("https://bookings.acme.example/password/set?token=")
    assert body["invitation_expires_at"] == one(PasswordToken, user=owner).expires_at.isoformat().replace("+00:00", "Z")
    [message] = mail.outbox
    assert link_token(message.body) == link_token(body["invitation_url"])
    with unscoped_all_tenants("test read"):
        assert PlatformAuditRecord.objects.get(business_slug="acme").performed_by == "operator"


@pytest.mark.django_db
def test_a_businesss_owner_is_refused(client_a, posted):
    before = written()
    response = posted(client_a, PLATFORM, BODY)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert written() == before


@pytest.mark.django_db
def test_an_anonymous_caller_is_asked_to_sign_in(anon, posted):
    response = posted(anon, PLATFORM, BODY)

    assert response.status_code == 401
    assert "detail" in response.json()
    assert not TenantSettings.objects.filter(slug="acme").exists()


@pytest.mark.django_db
def test_bad_details_are_answered_field_by_field(operator, posted):
    before = written()
    response = posted(
        api_client_for(operator),
        PLATFORM,
        {"slug": "Acme Ltd", "name": "Acme", "owner_email": "jane", "domain": "10.0.0.1", "timezone": "Mars/Base"},
    )

    assert response.status_code == 400
    assert set(response.json()) == {"slug", "owner_email", "domain", "timezone"}
    assert written() == before


@pytest.mark.django_db
def test_a_taken_slug_is_a_field_error(operator, tenant_a, posted):
    """A taken slug is refused like any other detail: 400 with the field named (not 409)."""
    before = written()
    response = posted(api_client_for(operator), PLATFORM, {**BODY, "slug": "tenant-a"})

    assert response.status_code == 400
    assert response.json() == {"slug": ["A business with this slug already exists."]}
    assert written() == before


# The admin -------------------------------------------------------------------------

ADMIN_FORM = {"slug": "acme", "name": "Acme Ltd", "timezone": "Europe/London", "custom_domain": ""}


@pytest.mark.django_db
def test_an_operator_adding_a_business_in_the_admin_creates_and_invites_its_owner(
    operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(operator).post(ADMIN_ADD, {**ADMIN_FORM, "owner_email": "jane@example.com"}, follow=True)

    assert response.status_code == 200
    tenant = TenantSettings.objects.get(slug="acme")
    owner = one(User, tenant=tenant)
    assert (owner.email, owner.role) == ("jane@example.com", User.Role.OWNER)
    assert one(StaffProfile, tenant=tenant).user_id == owner.pk
    [message] = mail.outbox
    notices = [str(notice) for notice in response.context["messages"]]
    assert any(f"/password/set?token={link_token(message.body)}" in notice for notice in notices)
    with unscoped_all_tenants("test read"):
        assert PlatformAuditRecord.objects.get(business_slug="acme").performed_by == "operator"


@pytest.mark.django_db
def test_the_admins_add_form_asks_for_the_owner_and_refuses_what_the_service_refuses(operator, tenant_a):
    before = written()
    client = browser(operator)

    no_owner = client.post(ADMIN_ADD, ADMIN_FORM)
    taken = client.post(ADMIN_ADD, {**ADMIN_FORM, "slug": "tenant-a", "owner_email": "jane@example.com"})

    assert no_owner.status_code == taken.status_code == 200
    assert "owner_email" in no_owner.context["adminform"].form.errors
    assert taken.context["adminform"].form.errors == {"slug": ["A business with this slug already exists."]}
    assert written() == before


# As production runs it (PostgreSQL) ------------------------------------------------


@needs_postgresql
@pytest.mark.django_db
def test_on_postgresql_the_runtime_role_creates_the_business_in_its_scope(
    operator, tenant_a, django_capture_on_commit_callbacks
):
    """Requests run as the runtime role, bound by row-level security (platform work as
    the platform role): the new business's rows are written in its own scope, whether an
    operator uses the API or the admin."""
    with as_runtime_role(), django_capture_on_commit_callbacks(execute=True):
        api = api_client_for(operator).post(PLATFORM, BODY, format="json")
        admin = browser(operator).post(ADMIN_ADD, {**ADMIN_FORM, "slug": "bravo", "owner_email": "bo@example.com"})

    assert api.status_code == 201, api.json()
    assert admin.status_code == 302
    for slug in ("acme", "bravo"):
        tenant = TenantSettings.objects.get(slug=slug)
        assert one(User, tenant=tenant).role == User.Role.OWNER
        assert count_rows(PasswordToken, user__tenant=tenant) == 1
    assert len(mail.outbox) == 2
    with unscoped_all_tenants("test read"):
        assert sorted(PlatformAuditRecord.objects.values_list("business_slug", flat=True)) == ["acme", "bravo"]


@needs_postgresql
@pytest.mark.django_db(transaction=True, databases=["default", "platform"])
def test_on_postgresql_with_the_platform_roles_own_connection_every_way_in_commits(operator, settings):
    """As production connects: the runtime role on ``default``, the platform role on a
    connection of its own (the admin's transaction is that one's). Committed for real."""
    with three_roles(settings):
        api = api_client_for(operator).post(PLATFORM, BODY, format="json")
        admin = browser(operator).post(ADMIN_ADD, {**ADMIN_FORM, "slug": "bravo", "owner_email": "bo@example.com"})
        call_command(
            "create_tenant", "charlie", "--name", "Charlie", "--owner-email", "cy@example.com", stdout=StringIO()
        )

    assert (api.status_code, admin.status_code) == (201, 302), api.content
    for slug in ("acme", "bravo", "charlie"):
        tenant = TenantSettings.objects.get(slug=slug)
        assert one(User, tenant=tenant).role == User.Role.OWNER
        assert one(StaffProfile, tenant=tenant).user.role == User.Role.OWNER
    assert len(mail.outbox) == 3
    with unscoped_all_tenants("test read"):
        slugs = sorted(PlatformAuditRecord.objects.values_list("business_slug", flat=True))
        assert slugs == ["acme", "bravo", "charlie"]
