"""Each business's usage a day, for operators only: rows, stored file bytes, requests."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from core.factories import TenantFactory
from core.models import BusinessEvent, TenantSettings, TenantUsage
from core.tasks import tenant_usage_snapshot
from core.tenancy import request_slots_reset, tenant_context, unscoped_all_tenants
from tests.faults import PrivateRedis
from tests.plugin import admin_site_user, browser

pytestmark = pytest.mark.django_db
DAY_1, DAY_2 = date(2026, 3, 1), date(2026, 3, 2)


@pytest.fixture
def redis_cache(tmp_path, settings):
    server = PrivateRedis(tmp_path)
    server.start()
    settings.CACHES = {"default": {"BACKEND": "core.resilience.ResilientRedisCache", "LOCATION": server.url}}
    request_slots_reset()
    yield server
    server.stop()


def usage_of(tenant, day: date) -> TenantUsage:
    with unscoped_all_tenants("test read"):
        return TenantUsage.objects.get(business_id=tenant.pk, day=day)


def events(tenant, count: int) -> None:
    with tenant_context(tenant):
        for n in range(count):
            BusinessEvent.objects.create(tenant=tenant, kind="client.created", summary=f"event {n}")


def test_the_daily_snapshot_of_each_business(redis_cache, tenant_a, tenant_b, media_root):
    events(tenant_a, 2)
    for slug, size in (("tenant-a", 1000), ("tenant-b", 10)):
        folder = media_root / "tenants" / slug / "document"
        folder.mkdir(parents=True)
        (folder / "abcd1234_file.pdf").write_bytes(b"x" * size)
    for _ in range(3):
        APIClient(HTTP_X_TENANT_SLUG=tenant_a.slug).get("/api/tenant/")
    today = timezone.now().date().isoformat()

    assert tenant_usage_snapshot.delay(today).get() == 2
    before_a, before_b = usage_of(tenant_a, date.fromisoformat(today)), usage_of(tenant_b, date.fromisoformat(today))
    assert (before_a.file_bytes, before_b.file_bytes) == (1000, 10)
    assert (before_a.requests, before_b.requests) == (3, 0)

    events(tenant_a, 5)
    tenant_usage_snapshot.delay(today).get()  # the same day again: rewritten, not doubled
    after_a, after_b = usage_of(tenant_a, date.fromisoformat(today)), usage_of(tenant_b, date.fromisoformat(today))
    assert after_a.rows - before_a.rows == 5
    assert after_b.rows == before_b.rows
    with unscoped_all_tenants("test count"):
        assert TenantUsage.objects.count() == 2


def test_without_redis_requests_are_not_counted_and_the_rest_is(tenant_a):
    events(tenant_a, 1)
    tenant_usage_snapshot.delay(DAY_1.isoformat()).get()
    usage = usage_of(tenant_a, DAY_1)
    assert usage.requests == 0 and usage.rows >= 1


def test_the_usage_page_is_for_operators_only(operator, tenant_a):
    tenant_usage_snapshot.delay(DAY_2.isoformat()).get()
    page = browser(operator).get("/admin/core/tenantusage/")
    assert page.status_code == 200
    assert tenant_a.slug in page.content.decode()
    staff = admin_site_user(tenant_a, Permission.objects.filter(codename="view_tenantusage"))
    assert browser(staff).get("/admin/core/tenantusage/").status_code == 403


def test_only_operators_set_a_business_limits(operator, tenant_a):
    model_admin = admin.site._registry[TenantSettings]
    owner = admin_site_user(TenantFactory(slug="tenant-c"), Permission.objects.none())
    for user, editable in ((operator, True), (owner, False)):
        request = RequestFactory().get("/admin/")
        request.user = user
        fixed = model_admin.get_readonly_fields(request, tenant_a)
        assert ("max_concurrent_requests" not in fixed) is editable
        assert ("statement_timeout_ms" not in fixed) is editable
