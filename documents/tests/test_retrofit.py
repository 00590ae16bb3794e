"""The documents retrofit: documents follow their uploader, tags follow their documents.

A tag used before tenancy by documents of two businesses is split into one tag per
business (each keeping its own business's links), so no document/tag link joins two
tenants; names that collide once they are unique per tenant are numbered.
"""

from __future__ import annotations

import pytest
from django.db import connection

from core.retrofit import BackfillError
from tests.plugin import Retrofit, assert_tenant_nullable_then_required, assign_tenant

APPS = ("accounts", "core", "documents")
INITIAL = [("accounts", "0001_initial"), ("core", "0001_initial"), ("documents", "0001_initial")]
NULLABLE_TENANT = [
    ("accounts", "0002_user_tenant"),
    ("core", "0002_businessevent_tenant"),
    ("documents", "0002_tenant"),
]
RETROFIT = Retrofit(APPS, INITIAL, NULLABLE_TENANT)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_chain_adds_a_nullable_tenant_then_requires_it():
    assert_tenant_nullable_then_required("documents", "Document", "DocumentTag")


def pre_tenancy(migrator):
    apps = RETROFIT.to_pre_tenancy(migrator)
    Tenant = apps.get_model("core", "TenantSettings")
    User = apps.get_model("accounts", "User")
    Tag = apps.get_model("documents", "DocumentTag")
    Document = apps.get_model("documents", "Document")

    Tenant.objects.create(slug="nbne", name="NBNE")  # the first tenant: the default
    Tenant.objects.create(slug="salon-x", name="Salon X")
    owner = User.objects.create(username="owner", role="owner")
    salon_owner = User.objects.create(username="salon-owner", role="owner")
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)

    policy = Tag.objects.create(name="Policy", colour="#111111")
    salon_policy = Tag.objects.create(name="Policy", colour="#222222")  # the same name, made twice
    menus = Tag.objects.create(name="Menus")
    Tag.objects.create(name="Unused")

    def document(title, uploaded_by, *tags):
        row = Document.objects.create(title=title, file=f"legacy/{title}.txt", uploaded_by=uploaded_by)
        row.tags.set(tags)
        return row

    document("nbne-handbook", owner, policy)
    document("salon-price-list", salon_owner, policy, menus)
    document("salon-rules", salon_owner, salon_policy)
    document("orphan", None, policy)
    document("by-operator", root)


def retrofit(migrator, *, assign=None):
    pre_tenancy(migrator)
    at_0002 = RETROFIT.to_nullable_tenant(migrator)
    assign_tenant(at_0002, "salon-x", "accounts", "User", username="salon-owner")
    if assign:
        assign(at_0002)
    return RETROFIT.to_latest(migrator)


def test_documents_follow_their_uploader_and_tags_are_split_per_tenant(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    apps = retrofit(migrator)
    Document = apps.get_model("documents", "Document")
    Tag = apps.get_model("documents", "DocumentTag")

    assert dict(Document.objects.values_list("title", "tenant__slug")) == {
        "nbne-handbook": "nbne",
        "salon-price-list": "salon-x",  # the uploader's tenant
        "salon-rules": "salon-x",
        "orphan": "nbne",  # nobody uploaded it: the default
        "by-operator": "nbne",  # operators have no tenant to give
    }
    tags = sorted(Tag.objects.values_list("tenant__slug", "name", "colour"))
    assert tags == [
        ("nbne", "Policy", "#111111"),  # kept by the first tenant that used it
        ("nbne", "Unused", "#6b7280"),  # used by nobody: the default
        ("salon-x", "Menus", "#6b7280"),
        ("salon-x", "Policy", "#222222"),  # salon-x's own "Policy" keeps its name
        ("salon-x", "Policy (2)", "#111111"),  # salon-x's copy of the shared tag, numbered
    ]

    def tag_names(title):
        return sorted(Document.objects.get(title=title).tags.values_list("name", flat=True))

    assert tag_names("nbne-handbook") == ["Policy"]
    assert tag_names("orphan") == ["Policy"]
    assert tag_names("salon-price-list") == ["Menus", "Policy (2)"]
    assert tag_names("salon-rules") == ["Policy"]
    Link = Document.tags.through
    assert Link.objects.count() == 5
    assert not [
        link
        for link in Link.objects.select_related("document", "documenttag")
        if link.document.tenant_id != link.documenttag.tenant_id
    ]


def test_a_document_put_in_another_tenant_than_its_uploader_stops_the_retrofit(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""

    def misfile(apps):
        nbne = apps.get_model("core", "TenantSettings").objects.get(slug="nbne")
        apps.get_model("documents", "Document").objects.filter(title="salon-rules").update(tenant=nbne)

    with pytest.raises(BackfillError, match=r"documents belong to another tenant than their uploader: ids \[\d+\]"):
        retrofit(migrator, assign=misfile)

    # Nothing was decided, and the fix the message asks for lets the retrofit finish
    # (the teardown migrates to the latest state too, so it must).
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM documents_documenttag WHERE tenant_id IS NOT NULL")
        assert cursor.fetchone() == (0,)
        cursor.execute(
            "UPDATE documents_document SET tenant_id = (SELECT id FROM core_tenantsettings WHERE slug = 'salon-x') "
            "WHERE title = 'salon-rules'"
        )
    apps = RETROFIT.to_latest(migrator)
    Document = apps.get_model("documents", "Document")
    assert Document.objects.get(title="salon-rules").tenant.slug == "salon-x"
