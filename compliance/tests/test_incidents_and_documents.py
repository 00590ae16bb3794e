"""Incidents (reporting, photos, sign-off), the accident book and RAMS documents."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.db.models.signals import pre_delete
from django.utils import timezone

from compliance.factories import IncidentReportFactory, RAMSDocumentFactory
from compliance.models import AccidentReport, IncidentPhoto, IncidentReport, RAMSDocument, SignOff
from compliance.tests.helpers import tenant_rows
from core.models import BusinessEvent
from tests.concurrency import in_another_connection, receiving
from tests.plugin import fresh
from tests.rls import ON_POSTGRESQL

INCIDENTS = "/api/compliance/incidents/"
PHOTOS = "/api/compliance/incident-photos/"
SIGN_OFFS = "/api/compliance/sign-offs/"
ACCIDENTS = "/api/compliance/accidents/"
RAMS = "/api/compliance/rams/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def incident_body(**extra) -> dict:
    return {
        "title": "Peroxide spilt in the dispensary",
        "description": "One litre of 9% developer; cleaned up with the spill kit.",
        "occurred_at": (timezone.now() - timedelta(minutes=30)).isoformat(),
        "location": "Dispensary",
        "severity": "medium",
        **extra,
    }


def photo(name: str = "spill.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def stored_files(media_root: Path) -> list[Path]:
    return [p for p in Path(media_root).rglob("*") if p.is_file()] if Path(media_root).exists() else []


def events(tenant, kind) -> list[BusinessEvent]:
    return tenant_rows(BusinessEvent, tenant, kind=kind)


# Incidents --------------------------------------------------------------------------


def test_any_member_reports_an_incident_as_themselves(staff_client_a, staff_a, tenant_a, owner_a):
    response = staff_client_a.post(INCIDENTS, incident_body(reported_by=owner_a.pk), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["reported_by"], body["status"], body["photo_count"]) == (staff_a.pk, "open", 0)
    reported = events(tenant_a, BusinessEvent.Kind.INCIDENT_REPORTED)
    assert [(e.object_id, e.performed_by_id) for e in reported] == [(str(body["id"]), staff_a.pk)]
    assert "Medium incident reported: Peroxide spilt" in reported[0].summary


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"occurred_at": (timezone.now() + timedelta(days=1)).isoformat()}, "occurred_at"),
        ({"status": "closed"}, "status"),
        ({"severity": "apocalyptic"}, "severity"),
    ],
)
def test_a_bad_report_is_a_400_and_writes_nothing(staff_client_a, tenant_a, extra, field):
    response = staff_client_a.post(INCIDENTS, incident_body(**extra), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert tenant_rows(IncidentReport, tenant_a) == []


def test_a_manager_signs_off_and_closes_the_incident(manager_client_a, manager_a, tenant_a):
    incident = IncidentReportFactory(tenant=tenant_a, status="resolved")

    response = manager_client_a.post(SIGN_OFFS, {"incident": incident.pk, "comment": "Actions done."}, format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["signed_by"], response.json()["role_at_signing"]) == (manager_a.pk, "manager")
    assert fresh(incident).status == "closed"
    signed = events(tenant_a, BusinessEvent.Kind.INCIDENT_SIGNED_OFF)
    assert [(e.object_id, e.performed_by_id) for e in signed] == [(str(incident.pk), manager_a.pk)]


def test_an_incident_is_signed_off_once(manager_client_a, client_a, tenant_a):
    incident = IncidentReportFactory(tenant=tenant_a)
    manager_client_a.post(SIGN_OFFS, {"incident": incident.pk}, format="json")

    again = client_a.post(SIGN_OFFS, {"incident": incident.pk}, format="json")

    assert again.status_code == 400
    assert "incident" in again.json()
    assert len(tenant_rows(SignOff, tenant_a)) == 1


def test_a_closed_incident_no_longer_changes(manager_client_a, tenant_a):
    incident = IncidentReportFactory(tenant=tenant_a)
    manager_client_a.post(SIGN_OFFS, {"incident": incident.pk}, format="json")

    edit = manager_client_a.patch(f"{INCIDENTS}{incident.pk}/", {"severity": "low"}, format="json")
    delete = manager_client_a.delete(f"{INCIDENTS}{incident.pk}/")
    add_photo = manager_client_a.post(PHOTOS, {"incident": incident.pk, "image": photo()}, format="multipart")

    assert (edit.status_code, delete.status_code, add_photo.status_code) == (400, 400, 400)
    assert fresh(incident).severity == "medium"
    assert tenant_rows(IncidentPhoto, tenant_a) == []


@pytest.mark.skipif(not ON_POSTGRESQL, reason="two connections at once need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_deleting_an_incident_holds_its_row_so_a_sign_off_cannot_land_meanwhile(manager_client_a, tenant_a):
    """The sign-off service locks the incident too: while a delete is under way, another
    request's sign-off waits for it and then finds the incident gone, instead of writing a
    sign-off the delete never saw (which would fail the delete at COMMIT)."""
    incident = IncidentReportFactory(tenant=tenant_a)
    others_lock: list[object] = []

    def another_request_tries_the_incident(sender, instance, **kwargs) -> None:
        locked = in_another_connection(
            tenant_a, lambda: IncidentReport.objects.select_for_update(nowait=True).get(pk=incident.pk)
        )
        others_lock.append("refused" if isinstance(locked, OperationalError) else "taken")

    with receiving(pre_delete, another_request_tries_the_incident, sender=IncidentReport):
        response = manager_client_a.delete(f"{INCIDENTS}{incident.pk}/")

    assert response.status_code == 204, response.content
    assert others_lock == ["refused"]
    assert tenant_rows(IncidentReport, tenant_a) == []


@pytest.mark.skipif(not ON_POSTGRESQL, reason="two connections at once need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_sign_off_of_an_incident_deleted_meanwhile_is_a_404(manager_client_a, tenant_a):
    """Another request deletes the incident after the sign-off has validated it and just
    before the service locks it: the service finds no row, and the client gets a 404."""
    incident = IncidentReportFactory(tenant=tenant_a)

    def delete_it_first(execute, sql, params, many, context):
        if ("FOR UPDATE" in sql or "FOR NO KEY UPDATE" in sql) and IncidentReport._meta.db_table in sql:
            in_another_connection(tenant_a, IncidentReport.objects.filter(pk=incident.pk).delete)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(delete_it_first):
        response = manager_client_a.post(SIGN_OFFS, {"incident": incident.pk}, format="json")

    assert response.status_code == 404, response.content
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert tenant_rows(SignOff, tenant_a) == []


def test_only_a_sign_off_closes_an_incident(manager_client_a, tenant_a):
    incident = IncidentReportFactory(tenant=tenant_a)

    response = manager_client_a.patch(f"{INCIDENTS}{incident.pk}/", {"status": "closed"}, format="json")

    assert response.status_code == 400
    assert fresh(incident).status == "open"


def test_a_photo_is_uploaded_and_downloaded(staff_client_a, tenant_a, media_root):
    incident = IncidentReportFactory(tenant=tenant_a)

    response = staff_client_a.post(
        PHOTOS, {"incident": incident.pk, "image": photo(), "caption": "The spill"}, format="multipart"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert "image" not in body
    assert body["file_name"] == "spill.png"
    stored = tenant_rows(IncidentPhoto, tenant_a)[0]
    assert stored.image.name.startswith("tenants/tenant-a/incidentphoto/")
    download = staff_client_a.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert staff_client_a.get(f"{INCIDENTS}{incident.pk}/").json()["photo_count"] == 1


def test_only_images_are_accepted_as_photos(staff_client_a, tenant_a, media_root):
    incident = IncidentReportFactory(tenant=tenant_a)

    response = staff_client_a.post(
        PHOTOS, {"incident": incident.pk, "image": photo("run.exe", b"MZ")}, format="multipart"
    )

    assert response.status_code == 400
    assert "image" in response.json()
    assert stored_files(media_root) == []


def test_a_missing_photo_file_is_a_404_not_a_500(staff_client_a, tenant_a):
    from compliance.factories import IncidentPhotoFactory

    photo_row = IncidentPhotoFactory(incident=IncidentReportFactory(tenant=tenant_a))

    assert staff_client_a.get(f"{PHOTOS}{photo_row.pk}/download/").status_code == 404


def test_deleting_a_photo_removes_its_file_once_committed(
    manager_client_a, tenant_a, media_root, django_capture_on_commit_callbacks
):
    incident = IncidentReportFactory(tenant=tenant_a)
    created = manager_client_a.post(PHOTOS, {"incident": incident.pk, "image": photo()}, format="multipart").json()
    assert len(stored_files(media_root)) == 1

    with django_capture_on_commit_callbacks(execute=False) as pending:
        assert manager_client_a.delete(f"{PHOTOS}{created['id']}/").status_code == 204
    assert len(stored_files(media_root)) == 1  # a rollback would still find its file
    for callback in pending:
        callback()

    assert stored_files(media_root) == []
    assert tenant_rows(IncidentPhoto, tenant_a) == []


# Accidents --------------------------------------------------------------------------


def test_any_member_writes_in_the_accident_book(staff_client_a, staff_a, tenant_a):
    response = staff_client_a.post(
        ACCIDENTS,
        {
            "person_involved": "Member",
            "occurred_at": (timezone.now() - timedelta(hours=3)).isoformat(),
            "location": "Free-weights area",
            "description": "Dropped a dumbbell on their foot.",
            "injury": "Suspected broken toe",
            "first_aid_given": True,
            "hospital_visit": True,
            "riddor_reportable": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["reported_by"] == staff_a.pk
    reported = events(tenant_a, BusinessEvent.Kind.ACCIDENT_REPORTED)
    assert len(reported) == 1 and "(RIDDOR reportable)" in reported[0].summary
    assert tenant_rows(AccidentReport, tenant_a)[0].riddor_reportable is True


# RAMS -------------------------------------------------------------------------------


def test_a_member_drafts_rams_with_a_file_and_a_manager_approves_it(
    staff_client_a, manager_client_a, manager_a, staff_a, today
):
    draft = staff_client_a.post(
        RAMS,
        {
            "title": "Pool chemical delivery",
            "activity": "Decanting sodium hypochlorite",
            "version": "1.0",
            "file": SimpleUploadedFile("method.pdf", b"%PDF-1.4 demo", content_type="application/pdf"),
        },
        format="multipart",
    )
    assert draft.status_code == 201, draft.content
    assert (draft.json()["status"], draft.json()["created_by"]) == ("draft", staff_a.pk)

    approved = manager_client_a.post(f"{RAMS}{draft.json()['id']}/approve/")

    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert (body["status"], body["approved_by"], body["approved_on"]) == ("approved", manager_a.pk, today.isoformat())
    download = staff_client_a.get(body["download_url"])
    assert b"".join(download.streaming_content) == b"%PDF-1.4 demo"


def test_approving_a_new_version_supersedes_the_old_one(manager_client_a, tenant_a):
    old = RAMSDocumentFactory(tenant=tenant_a, title="Sauna maintenance", version="1.0")
    other = RAMSDocumentFactory(tenant=tenant_a, title="Pool hoist use", version="1.0")
    new = RAMSDocumentFactory(tenant=tenant_a, title="Sauna maintenance", version="2.0")
    for document in (old, other, new):
        manager_client_a.post(f"{RAMS}{document.pk}/approve/")

    statuses = {d.pk: d.status for d in tenant_rows(RAMSDocument, tenant_a)}

    assert statuses == {old.pk: "superseded", other.pk: "approved", new.pk: "approved"}


def test_an_approved_document_is_not_edited_or_approved_again(manager_client_a, tenant_a):
    document = RAMSDocumentFactory(tenant=tenant_a)
    manager_client_a.post(f"{RAMS}{document.pk}/approve/")

    edit = manager_client_a.patch(f"{RAMS}{document.pk}/", {"activity": "Something else"}, format="json")
    again = manager_client_a.post(f"{RAMS}{document.pk}/approve/")

    assert (edit.status_code, again.status_code) == (400, 400)
    assert fresh(document).activity == "Deep clean"


def test_a_version_is_unique_per_title(manager_client_a, tenant_a):
    RAMSDocumentFactory(tenant=tenant_a, title="Home visits", version="1.0")

    response = manager_client_a.post(
        RAMS, {"title": "Home visits", "activity": "Visits", "version": "1.0"}, format="json"
    )

    assert response.status_code == 400
    assert len(tenant_rows(RAMSDocument, tenant_a)) == 1


def test_rams_without_a_file_has_nothing_to_download(staff_client_a, tenant_a):
    document = RAMSDocumentFactory(tenant=tenant_a)

    assert staff_client_a.get(f"{RAMS}{document.pk}/").json()["download_url"] is None
    assert staff_client_a.get(f"{RAMS}{document.pk}/download/").status_code == 404
