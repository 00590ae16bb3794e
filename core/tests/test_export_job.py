"""Owners export their business as a background job (``POST /api/tenant/export/``): the
archive is built after the request commits, downloaded after the tenant check, e-mailed
about once, holds one business only and none of its earlier archives, and expires.
Tasks run eagerly; ``django_capture_on_commit_callbacks(execute=True)`` is the commit."""

from __future__ import annotations

import io
import json
import logging
import tarfile
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.factories import ServiceFactory
from core import tasks
from core.factories import BusinessEventFactory, TenantExportFactory
from core.lifecycle import jobs
from core.models import PlatformAuditRecord, TenantExport
from core.tenancy import tenant_context
from tests.plugin import fresh, one, rows, update_rows
from tests.rls import ON_POSTGRESQL, as_runtime_role

pytestmark = pytest.mark.django_db

EXPORTS = "/api/tenant/export/"


def detail(pk: int) -> str:
    return f"{EXPORTS}{pk}/"


def download(pk: int) -> str:
    return f"{EXPORTS}{pk}/download/"


def body_of(response) -> bytes:
    # Read to the end, the test client closes the response itself (closing it again would
    # send request_finished, which closes the test's database connection).
    return b"".join(response.streaming_content)


def members_of(archive: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        return {info.name: tar.extractfile(info).read() for info in tar if info.isfile()}


@pytest.fixture
def two_businesses(tenant_a, tenant_b, owner_a, owner_b):
    """A few rows in each business; on PostgreSQL, the test then runs as production does:
    requests and jobs as the runtime role (row-level security), platform work as the
    platform role."""
    ServiceFactory(tenant=tenant_a, name="Alpha Haircut")
    ServiceFactory(tenant=tenant_b, name="Bravo Massage")
    BusinessEventFactory(tenant=tenant_a, summary="Alpha opened")
    BusinessEventFactory(tenant=tenant_b, summary="Bravo opened")
    with as_runtime_role() if ON_POSTGRESQL else nullcontext():
        yield


def export_committed(client, capture) -> dict:
    """POST an export and commit it: the job runs, and the mail task after it."""
    with capture(execute=True):
        response = client.post(EXPORTS)
    assert response.status_code == 202, response.content
    return response.json()


def stored_exports(media_root: Path, slug: str) -> list[Path]:
    return sorted((media_root / "tenants" / slug / "tenantexport").glob("*"))


# The owner's export, start to finish ------------------------------------------------------


def test_an_owner_s_export_is_built_after_commit_and_holds_only_the_business(
    two_businesses, client_a, owner_a, tenant_a, tenant_b, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(EXPORTS)
        accepted = response.json()
        assert response.status_code == 202
        assert (accepted["status"], accepted["download_url"], accepted["size"]) == ("pending", None, None)
        assert mail.outbox == []  # nothing before the commit

    export = client_a.get(detail(accepted["id"])).json()
    assert export["status"] == "ready"
    assert export["download_url"].endswith(download(accepted["id"]))
    assert export["rows"] > 0 and export["finished_at"] and export["expires_at"]

    response = client_a.get(download(accepted["id"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert 'filename="tenant-a-' in response["Content-Disposition"]
    archive = body_of(response)
    assert len(archive) == export["size"]
    [stored] = stored_exports(media_root, tenant_a.slug)
    assert stored.read_bytes() == archive

    members = members_of(archive)
    manifest = json.loads(members["manifest.json"])
    assert manifest["tenant"] == {"id": tenant_a.pk, "slug": "tenant-a", "name": "Tenant A"}
    for table in manifest["tables"]:
        if "tenant_id" in table["columns"]:
            index = table["columns"].index("tenant_id")
            lines = members[table["member"]].splitlines()
            assert {json.loads(line)[index] for line in lines} <= {tenant_a.pk}, table["model"]
    everything = b"".join(members.values())
    assert b"Alpha Haircut" in everything
    for foreign in (b"Bravo", b"tenant-b", b"Tenant B"):
        assert foreign not in everything

    [message] = mail.outbox
    assert message.to == [owner_a.email]
    assert "Tenant A" in message.subject
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "https://tenant-a.localhost/settings/export" in text
        assert "Tenant B" not in text and "tenant-b" not in text

    record = one(PlatformAuditRecord, action=PlatformAuditRecord.Action.EXPORTED)
    assert (record.business_slug, record.performed_by) == ("tenant-a", owner_a.username)
    assert record.details["export_id"] == accepted["id"] and record.details["bytes"] == len(archive)


def test_an_archive_holds_none_of_the_business_s_earlier_archives(
    two_businesses, client_a, tenant_a, django_capture_on_commit_callbacks
):
    first = export_committed(client_a, django_capture_on_commit_callbacks)
    second = export_committed(client_a, django_capture_on_commit_callbacks)

    members = members_of(body_of(client_a.get(download(second["id"]))))
    manifest = json.loads(members["manifest.json"])
    assert "core.tenantexport" not in {table["model"] for table in manifest["tables"]}
    assert not [name for name in members if "tenantexport" in name]
    assert first["id"] != second["id"]
    listed = client_a.get(EXPORTS).json()
    assert [e["id"] for e in listed["results"]] == [second["id"], first["id"]]  # newest first
    assert listed["count"] == 2


def test_a_message_delivered_again_builds_nothing_and_mails_nothing(
    two_businesses, client_a, tenant_a, media_root, django_capture_on_commit_callbacks
):
    export = export_committed(client_a, django_capture_on_commit_callbacks)
    before = one(TenantExport, pk=export["id"])

    with django_capture_on_commit_callbacks(execute=True), tenant_context(tenant_a):
        tasks.tenant_export_build.delay(export["id"])
        tasks.tenant_export_ready_send.delay(export["id"])

    after = one(TenantExport, pk=export["id"])
    assert (after.archive.name, after.finished_at) == (before.archive.name, before.finished_at)
    assert len(stored_exports(media_root, tenant_a.slug)) == 1
    assert len(mail.outbox) == 1


# One at a time ------------------------------------------------------------------------------


def test_a_second_export_while_one_is_pending_is_a_409_naming_it(client_a, tenant_a):
    first = client_a.post(EXPORTS)  # never committed: it stays pending
    assert first.status_code == 202

    second = client_a.post(EXPORTS)

    assert second.status_code == 409
    assert second.json()["code"] == "export_in_progress"
    assert second.json()["export_id"] == first.json()["id"]
    assert len(rows(TenantExport, tenant=tenant_a)) == 1


def test_the_database_keeps_one_active_export_per_business_against_racing_requests(tenant_a, tenant_b):
    TenantExportFactory(tenant=tenant_a, status=TenantExport.Status.PENDING)
    TenantExportFactory(tenant=tenant_a, status=TenantExport.Status.READY)
    TenantExportFactory(tenant=tenant_b, status=TenantExport.Status.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        TenantExportFactory(tenant=tenant_a, status=TenantExport.Status.RUNNING)


def test_another_business_s_pending_export_does_not_hold_up_this_one(client_a, client_b):
    assert client_b.post(EXPORTS).status_code == 202
    assert client_a.post(EXPORTS).status_code == 202


def test_a_lost_export_is_given_up_and_the_owner_may_ask_again(client_a, tenant_a):
    lost = client_a.post(EXPORTS).json()
    update_rows(TenantExport, {"pk": lost["id"]}, created_at=timezone.now() - jobs.STALE_AFTER - timedelta(minutes=1))

    again = client_a.post(EXPORTS)

    assert again.status_code == 202
    assert client_a.get(detail(lost["id"])).json()["status"] == "failed"


def test_a_failed_export_says_so_briefly_and_logs_the_cause(
    client_a, tenant_a, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise OSError("disk full at /secret/path")

    monkeypatch.setattr(jobs, "tenant_export", broken)
    with caplog.at_level(logging.ERROR, logger="core.lifecycle.jobs"):
        export = export_committed(client_a, django_capture_on_commit_callbacks)

    shown = client_a.get(detail(export["id"])).json()
    assert (shown["status"], shown["download_url"]) == ("failed", None)
    assert shown["error"] == jobs.FAILED_MESSAGE and "/secret/path" not in json.dumps(shown)
    assert "disk full" in caplog.text
    assert mail.outbox == []
    assert client_a.get(download(export["id"])).status_code == 404
    assert client_a.post(EXPORTS).status_code == 202  # the owner may ask again


# Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager_client_a", "staff_client_a"])
def test_managers_and_staff_are_refused(request, who, tenant_a):
    export = TenantExportFactory(tenant=tenant_a)
    client = request.getfixturevalue(who)
    for method, url in (("post", EXPORTS), ("get", EXPORTS), ("get", detail(export.pk)), ("get", download(export.pk))):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (method, url)
        assert response.json()["code"] == "permission_denied"
    assert len(rows(TenantExport, tenant=tenant_a)) == 1


def test_anonymous_requests_are_refused(anon, tenant_a):
    export = TenantExportFactory(tenant=tenant_a)
    for method, url in (("post", EXPORTS), ("get", EXPORTS), ("get", detail(export.pk)), ("get", download(export.pk))):
        assert getattr(anon, method)(url, HTTP_X_TENANT_SLUG=tenant_a.slug).status_code == 401, (method, url)
    assert len(rows(TenantExport, tenant=tenant_a)) == 1


def test_another_business_s_export_answers_exactly_like_a_missing_one(
    two_businesses, client_a, client_b, django_capture_on_commit_callbacks
):
    export = export_committed(client_a, django_capture_on_commit_callbacks)
    missing = export["id"] + 1000

    assert client_b.get(EXPORTS).json()["count"] == 0
    for url, absent in ((detail(export["id"]), detail(missing)), (download(export["id"]), download(missing))):
        foreign, nothing = client_b.get(url), client_b.get(absent)
        assert foreign.status_code == 404
        assert foreign.content == nothing.content


# Expiry -------------------------------------------------------------------------------------


def test_an_expired_export_cannot_be_downloaded_and_the_sweep_deletes_its_file(
    tenant_a, tenant_b, client_a, media_root, django_capture_on_commit_callbacks
):
    def ready(tenant, expires_at):
        export = TenantExportFactory(tenant=tenant, expires_at=expires_at)
        with tenant_context(tenant):
            export.archive.save("archive.tar.gz", ContentFile(b"archive bytes"))
        return export

    old = ready(tenant_a, timezone.now() - timedelta(minutes=1))
    current = ready(tenant_a, timezone.now() + timedelta(days=1))
    others = ready(tenant_b, timezone.now() - timedelta(minutes=1))
    others_file = Path(media_root, others.archive.name)
    tenant_b.is_active = False  # its sweep waits until it is active again
    tenant_b.save()

    assert client_a.get(download(old.pk)).status_code == 404
    assert client_a.get(detail(old.pk)).json()["download_url"] is None
    assert client_a.get(download(current.pk)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.tenant_exports_sweep.delay().get() == 1

    assert (fresh(old).status, fresh(old).archive.name) == ("expired", "")
    assert [p.name for p in stored_exports(media_root, tenant_a.slug)] == [Path(current.archive.name).name]
    assert fresh(current).status == "ready"
    assert others_file.exists() and fresh(others).status == "ready"  # an inactive business is left alone
