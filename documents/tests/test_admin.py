"""The documents admin: a tenant's staff see and file only their own business's documents."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.factories import DocumentFactory, DocumentTagFactory
from documents.models import Document
from tests.plugin import admin_site_user, browser

pytestmark = pytest.mark.django_db

DOCUMENTS = "/admin/documents/document/"


@pytest.fixture
def admin_a(tenant_a):
    """Tenant A's admin-site user with every permission of the documents app."""
    return admin_site_user(tenant_a, Permission.objects.filter(content_type__app_label="documents"))


def test_tenant_staff_list_only_their_documents_and_choose_only_their_tags(admin_a, tenant_a, tenant_b):
    DocumentFactory(tenant=tenant_a, title="Alpha allergen sheet")
    DocumentFactory(tenant=tenant_b, title="Bravo consent form")
    DocumentTagFactory(tenant=tenant_a, name="Alpha tag")
    DocumentTagFactory(tenant=tenant_b, name="Bravo tag")
    web = browser(admin_a)

    listing = web.get(DOCUMENTS).content.decode()
    form = web.get(f"{DOCUMENTS}add/").content.decode()

    assert "Alpha allergen sheet" in listing and "Bravo consent form" not in listing
    assert "Alpha tag" in form and "Bravo tag" not in form


def test_a_file_uploaded_in_the_admin_is_described_and_filed_in_the_tenant(admin_a, tenant_a):
    response = browser(admin_a).post(
        f"{DOCUMENTS}add/",
        {
            "title": "Premises licence",
            "description": "",
            "file": SimpleUploadedFile("licence.txt", b"Alcohol 11:00-23:00", content_type="text/plain"),
            "category": "certificate",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    document = Document._base_manager.get(title="Premises licence")
    assert document.tenant_id == tenant_a.pk
    assert (document.original_name, document.size, document.content_type) == ("licence.txt", 19, "text/plain")
    assert document.uploaded_by_id == admin_a.pk
    assert document.file.name.startswith("tenants/tenant-a/document/")


def test_the_admin_keeps_the_size_limit(admin_a, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 5
    response = browser(admin_a).post(
        f"{DOCUMENTS}add/",
        {"title": "Too big", "file": SimpleUploadedFile("big.txt", b"123456"), "category": "other"},
    )

    assert response.status_code == 200
    assert "limit" in str(response.context["adminform"].form.errors["file"])
    assert not Document._base_manager.filter(title="Too big").exists()
