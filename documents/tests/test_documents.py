"""Documents through the real HTTP API with real JWTs: upload, download, tags, roles, isolation.

Uploaded files go to a temporary MEDIA_ROOT (see conftest.py).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from core.models import BusinessEvent
from core.tenancy import TenantScopeError, tenant_context, unscoped_all_tenants
from documents.factories import FACTORY_FILE, DocumentFactory, DocumentTagFactory
from documents.models import Document, DocumentTag
from documents.services import MAX_UPLOAD_BYTES
from tests.isolation import row_count, snapshot
from tests.plugin import api_client_for

pytestmark = pytest.mark.django_db

DOCUMENTS = "/api/documents/documents/"
TAGS = "/api/documents/tags/"


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def detail(pk: int) -> str:
    return f"{DOCUMENTS}{pk}/"


def download(pk: int) -> str:
    return f"{DOCUMENTS}{pk}/download/"


def upload(client, name: str = "menu.txt", content: bytes = b"Soup of the day\n", **fields):
    body = {"file": SimpleUploadedFile(name, content, content_type="text/plain"), **fields}
    return client.post(DOCUMENTS, body, format="multipart")


def body_of(response) -> bytes:
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


def documents_of(tenant) -> list[Document]:
    with unscoped_all_tenants("test read"):
        return list(Document._base_manager.filter(tenant=tenant).order_by("pk"))


def tag_ids(document: Document) -> set[int]:
    with unscoped_all_tenants("test read"):
        return set(document.tags.values_list("pk", flat=True))


# Upload and download -----------------------------------------------------------------


def test_upload_fills_name_size_and_type_and_records_the_event(staff_a, tenant_a, media_root):
    allergens, menus = DocumentTagFactory(tenant=tenant_a, name="Allergens"), DocumentTagFactory(tenant=tenant_a)
    content = b"Dish | gluten | milk\nRisotto | yes | yes\n"
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()

    response = upload(
        api_client_for(staff_a),
        name="Allergen matrix.txt",
        content=content,
        tags=[allergens.pk, menus.pk],
        category="menu",
        expires_on=expires,
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["original_name"] == "Allergen matrix.txt"
    assert data["size"] == len(content)
    assert data["content_type"] == "text/plain"
    assert data["title"] == "Allergen matrix"  # from the file name when none is given
    assert data["uploaded_by"] == staff_a.pk
    assert set(data["tags"]) == {allergens.pk, menus.pk}
    assert set(data["tag_names"]) == {"Allergens", menus.name}
    assert data["category"] == "menu"
    assert data["expires_on"] == expires
    assert "file" not in data  # files are fetched through download_url only
    assert data["download_url"].endswith(download(data["id"]))

    (document,) = documents_of(tenant_a)
    assert document.file.name.startswith("tenants/tenant-a/document/")
    assert [p.read_bytes() for p in stored_files(media_root)] == [content]
    with unscoped_all_tenants("test read"):
        event = BusinessEvent._base_manager.get(tenant=tenant_a, kind=BusinessEvent.Kind.DOCUMENT_UPLOADED)
    assert (event.object_type, event.object_id, event.performed_by_id) == ("document", str(document.pk), staff_a.pk)


def test_download_returns_the_file_under_its_original_name(staff_a, client_a):
    created = upload(client_a, name="Dinner menu.txt", content=b"Hake, mussels, leeks\n").json()

    response = api_client_for(staff_a).get(download(created["id"]))

    assert response.status_code == 200
    assert 'filename="Dinner menu.txt"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert body_of(response) == b"Hake, mussels, leeks\n"


def test_a_file_over_the_size_limit_is_a_400_and_nothing_is_stored(client_a, tenant_a, media_root):
    response = upload(client_a, name="huge.pdf", content=b"x" * (MAX_UPLOAD_BYTES + 1))

    assert response.status_code == 400
    assert "limit is 20 MB" in response.json()["file"][0]
    assert documents_of(tenant_a) == []
    assert stored_files(media_root) == []


def test_the_limit_is_inclusive_and_configurable(settings, client_a, tenant_a):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 10
    assert upload(client_a, content=b"0123456789").status_code == 201
    assert upload(client_a, content=b"0123456789!").status_code == 400
    assert len(documents_of(tenant_a)) == 1


def test_an_upload_without_a_file_is_a_400(client_a, tenant_a, media_root):
    multipart = client_a.post(DOCUMENTS, {"title": "No file"}, format="multipart")
    json_body = client_a.post(DOCUMENTS, {"title": "No file"}, format="json")
    empty = upload(client_a, content=b"")

    assert multipart.status_code == 400 and "file" in multipart.json()
    assert json_body.status_code == 400 and "file" in json_body.json()
    assert empty.status_code == 400 and "file" in empty.json()
    assert documents_of(tenant_a) == []
    assert stored_files(media_root) == []


def test_replacing_the_file_updates_its_details_and_deletes_the_old_one(
    client_a, media_root, django_capture_on_commit_callbacks
):
    created = upload(client_a, name="v1.txt", content=b"first").json()
    (old_file,) = stored_files(media_root)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.patch(
            detail(created["id"]),
            {"file": SimpleUploadedFile("v2.csv", b"second,version", content_type="text/csv")},
            format="multipart",
        )

    assert response.status_code == 200, response.content
    assert (response.json()["original_name"], response.json()["size"]) == ("v2.csv", len(b"second,version"))
    assert response.json()["content_type"] == "text/csv"
    assert not old_file.exists()
    assert [p.read_bytes() for p in stored_files(media_root)] == [b"second,version"]
    assert body_of(client_a.get(download(created["id"]))) == b"second,version"


def test_deleting_a_document_deletes_its_file(client_a, tenant_a, media_root, django_capture_on_commit_callbacks):
    created = upload(client_a).json()
    assert len(stored_files(media_root)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert client_a.delete(detail(created["id"])).status_code == 204

    assert documents_of(tenant_a) == []
    assert stored_files(media_root) == []


class StorageThatCannotDelete(FileSystemStorage):
    def delete(self, name: str) -> None:
        raise OSError("the storage is unreachable")


def test_a_storage_failing_after_the_delete_committed_never_turns_it_into_an_error(
    client_a, tenant_a, media_root, settings, django_capture_on_commit_callbacks, caplog
):
    created = upload(client_a).json()
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.StorageThatCannotDelete"}}

    with django_capture_on_commit_callbacks(execute=True):
        assert client_a.delete(detail(created["id"])).status_code == 204

    assert documents_of(tenant_a) == []
    assert "the storage is unreachable" in caplog.text  # logged, and the file left behind


# Isolation ---------------------------------------------------------------------------


def test_tenant_b_cannot_download_or_see_tenant_a_file(client_a, client_b, tenant_a):
    created = upload(client_a, content=b"A's secret recipe").json()
    before = snapshot(tenant_a)

    foreign = client_b.get(download(created["id"]))
    missing = client_b.get(download(created["id"] + 10_000))

    assert foreign.status_code == 404
    assert foreign.content == missing.content
    assert b"secret" not in foreign.content
    assert client_b.get(detail(created["id"])).status_code == 404
    assert client_b.get(DOCUMENTS).json()["count"] == 0
    assert snapshot(tenant_a) == before


def test_tagging_with_another_tenants_tag_is_a_400_and_writes_nothing(client_b, tenant_a, tenant_b, media_root):
    foreign_tag = DocumentTagFactory(tenant=tenant_a, name="Allergens")
    before_a = snapshot(tenant_a)

    response = upload(client_b, tags=[foreign_tag.pk])

    assert response.status_code == 400
    assert "tags" in response.json()
    assert documents_of(tenant_b) == []
    assert row_count(BusinessEvent, tenant_b) == 0
    assert stored_files(media_root) == []
    assert snapshot(tenant_a) == before_a


def test_retagging_with_another_tenants_tag_is_a_400_and_keeps_the_tags(client_b, owner_b, tenant_a, tenant_b):
    own_tag = DocumentTagFactory(tenant=tenant_b)
    document = DocumentFactory(tenant=tenant_b, uploaded_by=owner_b)
    with tenant_context(tenant_b):
        document.tags.add(own_tag)
    foreign_tag = DocumentTagFactory(tenant=tenant_a)
    before_a, before_b = snapshot(tenant_a), snapshot(tenant_b)

    response = client_b.patch(detail(document.pk), {"tags": [own_tag.pk, foreign_tag.pk]}, format="json")

    assert response.status_code == 400
    assert "tags" in response.json()
    assert tag_ids(document) == {own_tag.pk}
    assert (snapshot(tenant_a), snapshot(tenant_b)) == (before_a, before_b)


def test_the_model_refuses_to_link_a_document_to_another_tenants_tag(tenant_a, tenant_b):
    document = DocumentFactory(tenant=tenant_b)
    foreign_tag = DocumentTagFactory(tenant=tenant_a)

    with tenant_context(tenant_b), pytest.raises(TenantScopeError), transaction.atomic():
        document.tags.add(foreign_tag)

    assert tag_ids(document) == set()


def test_filtering_by_another_tenants_tag_or_user_is_a_400(client_b, owner_a, tenant_a, tenant_b):
    foreign_tag = DocumentTagFactory(tenant=tenant_a)
    DocumentFactory(tenant=tenant_b)

    assert client_b.get(DOCUMENTS, {"tags": foreign_tag.pk}).status_code == 400
    assert client_b.get(DOCUMENTS, {"uploaded_by": owner_a.pk}).status_code == 400


# Tags --------------------------------------------------------------------------------


def test_tag_names_are_unique_per_tenant(client_a, client_b, tenant_a, tenant_b):
    body = {"name": "Allergens", "colour": "#dc2626"}

    assert client_a.post(TAGS, body).status_code == 201
    assert client_b.post(TAGS, body).status_code == 201
    duplicate = client_a.post(TAGS, body)

    assert duplicate.status_code == 400
    assert "name" in duplicate.json()
    assert row_count(DocumentTag, tenant_a) == 1
    assert row_count(DocumentTag, tenant_b) == 1


def test_renaming_a_tag_to_a_taken_name_is_a_400(client_a, tenant_a):
    DocumentTagFactory(tenant=tenant_a, name="COSHH")
    other = DocumentTagFactory(tenant=tenant_a, name="Insurance")

    response = client_a.patch(f"{TAGS}{other.pk}/", {"name": "COSHH"})

    assert response.status_code == 400
    other.refresh_from_db()
    assert other.name == "Insurance"


def test_a_tag_lists_how_many_documents_use_it(client_a, tenant_a):
    tag = DocumentTagFactory(tenant=tenant_a, name="Menus")
    for _ in range(2):
        document = DocumentFactory(tenant=tenant_a)
        with tenant_context(tenant_a):
            document.tags.add(tag)

    (row,) = client_a.get(TAGS).json()["results"]

    assert (row["name"], row["document_count"]) == ("Menus", 2)


def test_a_bad_colour_is_a_400(client_a):
    assert client_a.post(TAGS, {"name": "Red", "colour": "red"}).status_code == 400


# Roles -------------------------------------------------------------------------------


def test_staff_read_tags_but_only_managers_write_them(staff_a, manager_a, tenant_a):
    tag = DocumentTagFactory(tenant=tenant_a)
    staff, manager = api_client_for(staff_a), api_client_for(manager_a)

    assert staff.get(TAGS).status_code == 200
    assert staff.post(TAGS, {"name": "Staff made"}).status_code == 403
    assert staff.patch(f"{TAGS}{tag.pk}/", {"name": "Renamed"}).status_code == 403
    assert staff.delete(f"{TAGS}{tag.pk}/").status_code == 403
    assert manager.post(TAGS, {"name": "Manager made"}).status_code == 201
    assert manager.delete(f"{TAGS}{tag.pk}/").status_code == 204


def test_staff_upload_and_read_every_document(staff_a, other_staff_a, tenant_a):
    theirs = DocumentFactory(tenant=tenant_a, uploaded_by=other_staff_a)
    staff = api_client_for(staff_a)

    assert upload(staff).status_code == 201
    assert staff.get(DOCUMENTS).json()["count"] == 2
    assert staff.get(detail(theirs.pk)).status_code == 200
    assert body_of(staff.get(download(theirs.pk))) == FACTORY_FILE


def test_only_the_uploader_or_a_manager_changes_or_deletes_a_document(staff_a, other_staff_a, manager_a, tenant_a):
    theirs = DocumentFactory(tenant=tenant_a, uploaded_by=other_staff_a, title="Theirs")
    mine = upload(api_client_for(staff_a), title="Mine").json()
    staff, manager = api_client_for(staff_a), api_client_for(manager_a)

    assert staff.patch(detail(theirs.pk), {"title": "Hijacked"}).status_code == 403
    assert staff.delete(detail(theirs.pk)).status_code == 403
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"

    assert staff.patch(detail(mine["id"]), {"title": "Mine, renamed"}).status_code == 200
    assert manager.patch(detail(theirs.pk), {"title": "Fixed by manager"}).status_code == 200
    assert manager.delete(detail(theirs.pk)).status_code == 204
    assert staff.delete(detail(mine["id"])).status_code == 204
    assert documents_of(tenant_a) == []


def test_a_document_of_a_departed_uploader_is_managed_by_managers_only(staff_a, manager_a, tenant_a):
    orphan = DocumentFactory(tenant=tenant_a, uploaded_by=None)

    assert api_client_for(staff_a).patch(detail(orphan.pk), {"title": "x"}).status_code == 403
    assert api_client_for(manager_a).patch(detail(orphan.pk), {"title": "x"}).status_code == 200


def test_anonymous_requests_are_refused(tenant_a):
    document = DocumentFactory(tenant=tenant_a)
    client = api_client_for(HTTP_X_TENANT_SLUG=tenant_a.slug)

    assert client.get(DOCUMENTS).status_code == 401
    assert client.get(download(document.pk)).status_code == 401


# Filters, search, ordering ------------------------------------------------------------


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_filters_search_and_ordering(client_a, staff_a, tenant_a):
    today = timezone.localdate()
    menus, coshh = DocumentTagFactory(tenant=tenant_a, name="Menus"), DocumentTagFactory(tenant=tenant_a, name="COSHH")
    menu = DocumentFactory(tenant=tenant_a, title="Dinner menu", category="menu", original_name="dinner.txt")
    sheet = DocumentFactory(
        tenant=tenant_a, title="Bleach", category="other", uploaded_by=staff_a, description="COSHH sheet"
    )
    licence = DocumentFactory(tenant=tenant_a, title="Premises licence", category="certificate")
    expired = DocumentFactory(tenant=tenant_a, title="Old insurance", category="certificate")
    with tenant_context(tenant_a):
        menu.tags.add(menus)
        sheet.tags.add(coshh)
        Document.objects.filter(pk=licence.pk).update(expires_on=today + timedelta(days=20))
        Document.objects.filter(pk=expired.pk).update(expires_on=today - timedelta(days=1))

    assert ids(client_a.get(DOCUMENTS, {"tags": menus.pk})) == [menu.pk]
    assert set(ids(client_a.get(f"{DOCUMENTS}?tags={menus.pk}&tags={coshh.pk}"))) == {menu.pk, sheet.pk}
    assert set(ids(client_a.get(DOCUMENTS, {"category": "certificate"}))) == {licence.pk, expired.pk}
    assert ids(client_a.get(DOCUMENTS, {"uploaded_by": staff_a.pk})) == [sheet.pk]
    assert ids(client_a.get(DOCUMENTS, {"expiring": 30})) == [licence.pk]
    assert ids(client_a.get(DOCUMENTS, {"expiring": 10})) == []
    assert ids(client_a.get(DOCUMENTS, {"expired": "true"})) == [expired.pk]
    assert client_a.get(DOCUMENTS, {"expiring": -1}).status_code == 400
    assert ids(client_a.get(DOCUMENTS, {"search": "coshh"})) == [sheet.pk]
    assert ids(client_a.get(DOCUMENTS, {"search": "dinner.txt"})) == [menu.pk]
    assert ids(client_a.get(DOCUMENTS, {"ordering": "title"})) == [sheet.pk, menu.pk, expired.pk, licence.pk]
