"""Every demo business has rows behind every list endpoint, and there are plenty of them."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import User
from core.demo import DEMO_BUSINESSES
from core.tenancy import tenancy_of, unscoped_all_tenants
from tests.isolation import router_routes
from tests.plugin import api_client_for, one

LIST_ROUTES = [r for r in router_routes() if not r.detail and "get" in r.methods]
# Lists a business fills itself, never the seed: its owners' export archives exist only
# once an owner asks for one (a seeded archive would be a file of the demo's own data).
EMPTY_UNTIL_ASKED = {"tenantexport-list"}


def test_the_schema_has_at_least_thirty_list_endpoints():
    assert len(LIST_ROUTES) >= 30, [r.name for r in LIST_ROUTES]


def _list_urls(route, tenant) -> list[str]:
    if route.parent_model is None:
        return [route.url()]
    lookup = tenancy_of(route.parent_model).tenant_id_lookup
    with unscoped_all_tenants("test parents"):
        parents = route.parent_model._base_manager.filter(**{lookup: tenant.pk}).values_list("pk", flat=True)
        return [route.url(parent=pk) for pk in parents]


@pytest.mark.django_db
def test_seed_demo_fills_every_list_endpoint_of_every_demo_business(settings):
    settings.DEMO_PASSWORD = "demo-coverage-1"
    call_command("seed_demo", "--all")
    empty = []
    for slug in DEMO_BUSINESSES:
        owner = one(User, username=f"{slug}-owner")
        client = api_client_for(owner)
        for route in (r for r in LIST_ROUTES if r.name not in EMPTY_UNTIL_ASKED):
            counts = [client.get(url).json().get("count", 0) for url in _list_urls(route, owner.tenant)]
            if not any(counts):
                empty.append(f"{slug}: {route.name}")
    assert not empty, "\n".join(empty)
