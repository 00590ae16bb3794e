"""Tenant files end to end, with real files under the test's MEDIA_ROOT (the root conftest.py).

Every download route is walked as the owner, as another tenant, as another tenant
naming the owner's business, and anonymously; every upload route stores under
``tenants/<slug>/<model>/<8 hex>_<name>`` whatever name it is sent; no URL serves a
stored file by its path; downloads can be handed to nginx (X-Accel-Redirect) or
streamed from S3; files stored before tenancy are moved into their tenant's folder.
"""

from __future__ import annotations

import io
import re
import runpy
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import models
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils.http import content_disposition_header
from django.views.static import serve
from moto import mock_aws
from rest_framework.test import APIClient

from accounts.factories import UserFactory
from comms.factories import ChannelFactory, ChannelMemberFactory, MessageAttachmentFactory, MessageFactory
from comms.models import MessageAttachment
from compliance.factories import IncidentPhotoFactory, IncidentReportFactory, RAMSDocumentFactory
from compliance.models import IncidentPhoto, RAMSDocument
from core.factories import TenantFactory
from core.tenancy import tenant_context, tenant_folder, tenant_upload_to, unscoped_all_tenants
from documents.factories import FACTORY_FILE, DocumentFactory
from documents.models import Document
from tests.plugin import api_client_for
from tests.rls import ON_POSTGRESQL, as_runtime_role

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
NONEXISTENT = 987_654_321
RANDOM_PART = r"[0-9a-f]{8}_"


def stored_row(model: type[models.Model], pk: Any) -> models.Model:
    """The row of ``model`` with this pk as stored, whatever its tenant."""
    with unscoped_all_tenants("test read"):
        return model._base_manager.get(pk=pk)


def body_of(response) -> bytes:
    # Reading a streamed body to its end closes the file (the test client's wrapper);
    # closing the response by hand would also close the test's database connection.
    return b"".join(response.streaming_content) if response.streaming else response.content


def stored_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def member_message(tenant, user):
    """A message written by ``user`` in a channel of ``tenant`` they belong to."""
    channel = ChannelFactory(tenant=tenant, created_by=user)
    ChannelMemberFactory(channel=channel, user=user, is_admin=True)
    return MessageFactory(channel=channel, author=user)


# The four download routes ------------------------------------------------------------


@dataclass(frozen=True)
class FileRoute:
    """A download route, how to store a real file of a tenant for it, and how to upload one."""

    name: str
    model: type[models.Model]
    file_field: str
    path: str  # "{pk}", and "{parent}" for a nested route
    store: Callable[[Any, Any], models.Model]  # (tenant, user) -> a row with a stored file
    upload: Callable[[APIClient, Any, Any, str, bytes], Any]  # (client, tenant, user, name, content) -> response
    parent: Callable[[models.Model], Any] | None = None
    own_parent: Callable[[Any, Any], Any] | None = None  # (tenant, user) -> a parent of that tenant

    def url(self, pk: Any, parent: Any = None) -> str:
        return self.path.format(pk=pk, parent=parent)

    def url_of(self, row: models.Model) -> str:
        return self.url(row.pk, self.parent(row) if self.parent else None)

    def stored_name(self, row_or_pk: Any) -> str:
        pk = row_or_pk.pk if isinstance(row_or_pk, models.Model) else row_or_pk
        return getattr(stored_row(self.model, pk), self.file_field).name

    def content(self, row: models.Model) -> bytes:
        with getattr(stored_row(self.model, row.pk), self.file_field).open("rb") as handle:
            return handle.read()


def _multipart(field: str, name: str, content: bytes, **fields: Any) -> tuple[bytes, str]:
    """A multipart body with ``name`` exactly as given (the test client would shorten it)."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="'.encode()
        + name.encode()
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _post_file(client: APIClient, url: str, field: str, name: str, content: bytes, **fields: Any):
    body, content_type = _multipart(field, name, content, **fields)
    return client.generic("POST", url, body, content_type=content_type)


def _upload_document(client, tenant, user, name, content):
    return _post_file(client, "/api/documents/documents/", "file", name, content)


def _upload_attachment(client, tenant, user, name, content):
    message = member_message(tenant, user)
    return _post_file(client, f"/api/comms/messages/{message.pk}/attachments/", "file", name, content)


def _upload_photo(client, tenant, user, name, content):
    incident = IncidentReportFactory(tenant=tenant, reported_by=user)
    return _post_file(client, "/api/compliance/incident-photos/", "image", name, content, incident=incident.pk)


def _upload_rams(client, tenant, user, name, content):
    title = f"Method statement {uuid.uuid4().hex[:6]}"
    return _post_file(client, "/api/compliance/rams/", "file", name, content, title=title, activity="Deep clean")


ROUTES = [
    FileRoute(
        name="document",
        model=Document,
        file_field="file",
        path="/api/documents/documents/{pk}/download/",
        store=lambda tenant, user: DocumentFactory(tenant=tenant, uploaded_by=user),
        upload=_upload_document,
    ),
    FileRoute(
        name="message attachment",
        model=MessageAttachment,
        file_field="file",
        path="/api/comms/messages/{parent}/attachments/{pk}/download/",
        store=lambda tenant, user: MessageAttachmentFactory(message=member_message(tenant, user), stored=True),
        upload=_upload_attachment,
        parent=lambda attachment: attachment.message_id,
        own_parent=lambda tenant, user: member_message(tenant, user).pk,
    ),
    FileRoute(
        name="incident photo",
        model=IncidentPhoto,
        file_field="image",
        path="/api/compliance/incident-photos/{pk}/download/",
        store=lambda tenant, user: IncidentPhotoFactory(
            incident=IncidentReportFactory(tenant=tenant, reported_by=user), stored=True
        ),
        upload=_upload_photo,
    ),
    FileRoute(
        name="RAMS document",
        model=RAMSDocument,
        file_field="file",
        path="/api/compliance/rams/{pk}/download/",
        store=lambda tenant, user: RAMSDocumentFactory(tenant=tenant, created_by=user, stored=True),
        upload=_upload_rams,
    ),
]
ROUTE_IDS = [route.name for route in ROUTES]
route_param = pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
# Names a photo upload accepts must end in an image extension.
UPLOAD_EXTENSION = {"incident photo": ".png", "RAMS document": ".pdf"}


def with_extension(route: FileRoute, name: str) -> str:
    return name + UPLOAD_EXTENSION.get(route.name, ".txt")


# Downloads across tenants --------------------------------------------------------------


@route_param
def test_the_owner_downloads_the_file_as_an_opaque_attachment(route, tenant_a, owner_a, client_a):
    row = route.store(tenant_a, owner_a)

    response = client_a.get(route.url_of(row))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert body_of(response) == route.content(row) != b""


@route_param
def test_another_tenant_gets_the_same_404_as_for_a_nonexistent_id(
    route, tenant_a, owner_a, tenant_b, owner_b, client_b
):
    row = route.store(tenant_a, owner_a)
    secret = route.content(row)
    attempts = [(route.url_of(row), route.url(NONEXISTENT, NONEXISTENT if route.parent else None))]
    if route.own_parent:
        # A's file through B's own parent: the nested lookup must not reach past B's rows.
        own = route.own_parent(tenant_b, owner_b)
        attempts.append((route.url(row.pk, own), route.url(NONEXISTENT, own)))

    for foreign_url, missing_url in attempts:
        foreign, missing = client_b.get(foreign_url), client_b.get(missing_url)

        assert foreign.status_code == missing.status_code == 404, foreign_url
        assert foreign["Content-Type"] == "application/json"
        assert body_of(foreign) == body_of(missing)
        assert secret not in body_of(foreign)


@route_param
def test_another_tenants_user_naming_the_owners_business_is_refused(route, tenant_a, owner_a, owner_b):
    row = route.store(tenant_a, owner_a)

    response = api_client_for(owner_b, HTTP_X_TENANT_SLUG=tenant_a.slug).get(route.url_of(row))

    assert response.status_code == 403
    assert response.json()["code"] == "tenant_mismatch"


@route_param
def test_anonymous_requests_are_refused(route, tenant_a, owner_a):
    row = route.store(tenant_a, owner_a)

    for client in (APIClient(), api_client_for(HTTP_X_TENANT_SLUG=tenant_a.slug)):
        response = client.get(route.url_of(row))

        assert response.status_code == 401
        assert route.content(row) not in body_of(response)


@route_param
def test_a_row_without_its_file_is_a_json_404(route, tenant_a, owner_a, client_a, media_root):
    row = route.store(tenant_a, owner_a)
    (media_root / route.stored_name(row)).unlink()

    response = client_a.get(route.url_of(row))

    assert response.status_code == 404
    assert response.json() == {"detail": "The file is missing from storage.", "code": "not_found"}


# Stored names -----------------------------------------------------------------------


@route_param
@pytest.mark.parametrize("owner", ["a", "b"])
def test_every_upload_is_stored_under_its_tenant_folder_with_a_random_part(route, owner, request, media_root):
    tenant, user = request.getfixturevalue(f"tenant_{owner}"), request.getfixturevalue(f"owner_{owner}")
    name = with_extension(route, "Rota for May")

    response = route.upload(api_client_for(user), tenant, user, name, b"the content")

    assert response.status_code == 201, response.content
    stored = route.stored_name(response.json()["id"])
    assert re.fullmatch(
        f"tenants/{tenant.slug}/{route.model._meta.model_name}/{RANDOM_PART}Rota_for_May\\.\\w+", stored
    )
    assert (media_root / stored).read_bytes() == b"the content"
    assert list(stored_files(media_root)) == [stored]


HOSTILE_NAMES = [
    "../../etc/passwd",
    "..\\..\\x.txt",
    "/etc/cron.d/job",
    "C:\\Windows\\win.ini",
    "a\x00b.txt",
    "....//....//y.txt",
    "..",
    "x" * 300 + ".txt",
    "y." + "z" * 300,
    "%2e%2e%2fescape.txt",
]


def assert_inside(media_root: Path, stored: str, folder: str) -> None:
    assert stored.startswith(folder), stored
    assert re.fullmatch(RANDOM_PART + r"[-\w.]+", stored[len(folder) :]), stored
    assert ".." not in Path(stored).parts and "\\" not in stored and "\x00" not in stored
    assert len(stored) <= 255
    assert (media_root / stored).resolve().parent == (media_root / folder).resolve()


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_hostile_names_stay_inside_the_tenant_folder(name, tenant_a, media_root):
    folder = tenant_folder(tenant_a, Document)

    named = tenant_upload_to(Document(tenant=tenant_a), name)
    document = DocumentFactory(tenant=tenant_a, file=ContentFile(b"kept in", name=name))

    assert_inside(media_root, named, folder)
    assert_inside(media_root, document.file.name, folder)
    assert stored_files(media_root) == {document.file.name: b"kept in"}


@route_param
@pytest.mark.parametrize("name", HOSTILE_NAMES[:7], ids=range(7))
def test_hostile_names_sent_to_an_upload_route_stay_inside_the_tenant_folder(
    route, name, tenant_a, owner_a, client_a, media_root
):
    response = route.upload(client_a, tenant_a, owner_a, with_extension(route, name), b"kept in")

    assert response.status_code == 201, response.content
    stored = route.stored_name(response.json()["id"])
    assert_inside(media_root, stored, tenant_folder(tenant_a, route.model))
    assert stored_files(media_root) == {stored: b"kept in"}


def test_a_very_long_name_is_shortened_inside_the_tenant_folder(client_a, tenant_a, owner_a, media_root):
    response = _upload_document(client_a, tenant_a, owner_a, "x" * 300 + ".txt", b"long")

    assert response.status_code == 201, response.content
    stored = stored_row(Document, response.json()["id"]).file.name
    assert_inside(media_root, stored, tenant_folder(tenant_a, Document))
    assert stored.endswith("x" * 76 + ".txt")


@route_param
def test_two_uploads_of_the_same_name_keep_both_files(route, tenant_a, owner_a, client_a, media_root):
    name = with_extension(route, "same")
    first = route.upload(client_a, tenant_a, owner_a, name, b"first")
    second = route.upload(client_a, tenant_a, owner_a, name, b"second")

    names = [route.stored_name(response.json()["id"]) for response in (first, second)]
    assert names[0] != names[1]
    assert stored_files(media_root) == {names[0]: b"first", names[1]: b"second"}


def test_even_the_same_random_part_does_not_overwrite(monkeypatch, client_a, tenant_a, owner_a, media_root):
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=0))
    first = _upload_document(client_a, tenant_a, owner_a, "menu.txt", b"first").json()
    second = _upload_document(client_a, tenant_a, owner_a, "menu.txt", b"second").json()

    names = [stored_row(Document, body["id"]).file.name for body in (first, second)]
    assert names[0] == "tenants/tenant-a/document/00000000_menu.txt"
    assert names[1] != names[0] and names[1].startswith("tenants/tenant-a/document/00000000_menu")
    assert stored_files(media_root) == {names[0]: b"first", names[1]: b"second"}
    assert [body_of(client_a.get(f"/api/documents/documents/{b['id']}/download/")) for b in (first, second)] == [
        b"first",
        b"second",
    ]


# Guessing the path ---------------------------------------------------------------------


def _url_patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _url_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_no_url_serves_the_media_folder():
    media_url = (django_settings.MEDIA_URL or "/media/").lstrip("/")
    for route, entry in _url_patterns(get_resolver()):
        assert entry.callback is not serve, route
        assert not (media_url and route.lstrip("^").startswith(media_url)), route
    for path in ("/media/tenants/tenant-a/document/x.txt", "/tenants/tenant-a/document/x.txt"):
        with pytest.raises(Resolver404):
            resolve(path)


@route_param
def test_a_stored_file_is_not_reachable_by_its_path(route, tenant_a, owner_a, client_a, settings):
    row = route.store(tenant_a, owner_a)
    stored = route.stored_name(row)
    clients = [client_a, APIClient(), api_client_for(HTTP_X_TENANT_SLUG=tenant_a.slug)]

    for debug in (False, True):
        settings.DEBUG = debug
        for client in clients:
            for path in (f"/media/{stored}", f"/{stored}", f"{settings.MEDIA_URL or '/'}{stored}"):
                response = client.get(path)

                assert response.status_code == 404, (path, debug)
                assert route.content(row) not in body_of(response)


@route_param
def test_downloads_take_no_path_from_the_request(route, tenant_a, owner_a, tenant_b, owner_b, client_a):
    mine, theirs = route.store(tenant_a, owner_a), route.store(tenant_b, owner_b)
    their_name = route.stored_name(theirs)
    url = route.url_of(mine)

    assert set(resolve(url).kwargs) <= {"pk", "message_pk"}
    query = {"path": their_name, "name": their_name, "file": f"../../{their_name}", "filename": their_name}
    response = client_a.get(url, query)
    assert response.status_code == 200
    assert body_of(response) == route.content(mine)
    assert client_a.get(f"{url}{their_name}").status_code == 404
    assert client_a.get(f"{url}../../{their_name}").status_code == 404


# X-Accel-Redirect -----------------------------------------------------------------------


@route_param
def test_with_accel_redirect_nginx_is_told_which_file_to_send(route, settings, tenant_a, owner_a, client_a, client_b):
    settings.TENANT_FILES_ACCEL_REDIRECT = "/protected-media/"
    row = route.store(tenant_a, owner_a)
    stored = route.stored_name(row)

    response = client_a.get(route.url_of(row))

    assert response.status_code == 200
    assert not response.streaming and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{quote(stored)}"
    assert response["Content-Type"] == "application/octet-stream"
    expected_name = getattr(row, "original_name", "") or stored.rsplit("/", 1)[-1].split("_", 1)[-1]
    assert response["Content-Disposition"] == content_disposition_header(True, expected_name)
    foreign = client_b.get(route.url_of(row))
    assert foreign.status_code == 404 and not foreign.has_header("X-Accel-Redirect")


def test_accel_redirect_quotes_the_name_and_keeps_the_original_for_the_browser(settings, client_a, tenant_a, owner_a):
    settings.TENANT_FILES_ACCEL_REDIRECT = "/protected-media"
    created = _upload_document(client_a, tenant_a, owner_a, "Menu d'été #2.txt", b"soupe").json()
    stored = stored_row(Document, created["id"]).file.name

    response = client_a.get(f"/api/documents/documents/{created['id']}/download/")

    assert response["X-Accel-Redirect"] == f"/protected-media/{quote(stored)}"
    assert response["Content-Disposition"] == content_disposition_header(True, "Menu d'été #2.txt")
    assert "filename*=utf-8''" in response["Content-Disposition"]


def test_with_accel_redirect_a_lost_file_is_still_the_json_404(settings, client_a, tenant_a, owner_a, media_root):
    settings.TENANT_FILES_ACCEL_REDIRECT = "/protected-media/"
    document = DocumentFactory(tenant=tenant_a, uploaded_by=owner_a)
    (media_root / document.file.name).unlink()

    response = client_a.get(f"/api/documents/documents/{document.pk}/download/")

    assert response.status_code == 404
    assert not response.has_header("X-Accel-Redirect")
    assert response.json()["code"] == "not_found"


def test_without_the_setting_downloads_stream(client_a, tenant_a, owner_a):
    document = DocumentFactory(tenant=tenant_a, uploaded_by=owner_a)

    response = client_a.get(f"/api/documents/documents/{document.pk}/download/")

    assert response.streaming and not response.has_header("X-Accel-Redirect")
    assert body_of(response) == FACTORY_FILE


# S3 ------------------------------------------------------------------------------------

BUCKET = "nbne-tenant-files"


@pytest.fixture
def s3_storage(settings, monkeypatch):
    """The default storage is a private S3 bucket (moto), configured as settings.py does."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        options = {
            "bucket_name": BUCKET,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "region_name": "us-east-1",
        }
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        }
        yield client


def test_on_s3_files_are_stored_by_tenant_and_stream_through_the_tenant_check(
    s3_storage, settings, client_a, client_b, tenant_a, owner_a, media_root
):
    settings.TENANT_FILES_ACCEL_REDIRECT = "/protected-media/"  # a local folder's option only

    created = _upload_document(client_a, tenant_a, owner_a, "Allergens.txt", b"nuts, milk")

    assert created.status_code == 201, created.content
    document = stored_row(Document, created.json()["id"])
    keys = [item["Key"] for item in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [document.file.name]
    assert re.fullmatch(f"tenants/tenant-a/document/{RANDOM_PART}Allergens\\.txt", keys[0])
    grants = s3_storage.get_object_acl(Bucket=BUCKET, Key=keys[0])["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner's only
    assert "URI" not in grants[0]["Grantee"]  # no AllUsers / AuthenticatedUsers group
    assert stored_files(media_root) == {}

    url = f"/api/documents/documents/{document.pk}/download/"
    mine = client_a.get(url)
    assert mine.status_code == 200 and mine.streaming
    assert not mine.has_header("X-Accel-Redirect")
    assert mine["Content-Type"] == "application/octet-stream"
    assert body_of(mine) == b"nuts, milk"

    foreign, missing = client_b.get(url), client_b.get(f"/api/documents/documents/{NONEXISTENT}/download/")
    assert foreign.status_code == 404
    assert body_of(foreign) == body_of(missing)

    s3_storage.delete_object(Bucket=BUCKET, Key=keys[0])
    assert client_a.get(url).json() == {"detail": "The file is missing from storage.", "code": "not_found"}


def _settings_with(monkeypatch, **env: str) -> dict[str, Any]:
    for name in ("AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME", "AWS_LOCATION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("TENANT_FILES_ACCEL_REDIRECT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "settings.py"))


def test_settings_store_locally_and_stream_by_default(monkeypatch):
    values = _settings_with(monkeypatch)

    assert values["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert values["TENANT_FILES_ACCEL_REDIRECT"] == ""


def test_settings_use_a_private_s3_bucket_when_one_is_named(monkeypatch):
    values = _settings_with(
        monkeypatch,
        AWS_STORAGE_BUCKET_NAME="nbne-files",
        AWS_S3_ENDPOINT_URL="https://s3.example.com",
        AWS_S3_REGION_NAME="eu-west-2",
        AWS_LOCATION="media/",
        TENANT_FILES_ACCEL_REDIRECT="/protected-media/",
    )

    assert values["STORAGES"]["default"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "nbne-files",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "endpoint_url": "https://s3.example.com",
            "region_name": "eu-west-2",
            "location": "media",
        },
    }
    assert values["TENANT_FILES_ACCEL_REDIRECT"] == "/protected-media/"


# Moving files stored before tenancy ----------------------------------------------------


def legacy(route: FileRoute, media_root: Path, tenant, user, name: str, content: bytes) -> models.Model:
    """A row of ``tenant`` whose file was stored at ``name`` before tenancy."""
    row = route.store(tenant, user)
    stored = route.stored_name(row)
    with tenant_context(tenant):
        route.model.objects.filter(pk=row.pk).update(**{route.file_field: name})
    (media_root / stored).unlink()
    path = media_root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return row


@contextmanager
def as_the_application() -> Iterator[None]:
    """On PostgreSQL, the block runs as the runtime role, under row-level security."""
    if ON_POSTGRESQL:
        with as_runtime_role():
            yield
    else:
        yield


@pytest.fixture
def move(django_capture_on_commit_callbacks) -> Callable[..., str]:
    """Run the command as the application would (commit callbacks included) and return its output."""

    def run(*args: str) -> str:
        out = io.StringIO()
        with as_the_application(), django_capture_on_commit_callbacks(execute=True):
            call_command("move_tenant_files", *args, stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def legacy_world(media_root, tenant_a, owner_a, tenant_b, owner_b):
    """Both tenants' rows of every file model, their files at pre-tenancy paths."""
    document, attachment, photo, rams = ROUTES
    return {
        (document, tenant_a): legacy(document, media_root, tenant_a, owner_a, "documents/old.pdf", b"A's policy"),
        (document, tenant_b): legacy(document, media_root, tenant_b, owner_b, "documents/old_b.pdf", b"B's policy"),
        (photo, tenant_a): legacy(photo, media_root, tenant_a, owner_a, "uploads/photo.jpg", b"A's photo"),
        (photo, tenant_b): legacy(photo, media_root, tenant_b, owner_b, "uploads/2023/photo.jpg", b"B's photo"),
        (attachment, tenant_a): legacy(attachment, media_root, tenant_a, owner_a, "attachments/rota.txt", b"A rota"),
        (rams, tenant_b): legacy(rams, media_root, tenant_b, owner_b, "rams/deep-clean.pdf", b"B's method"),
    }


def names_of(world: dict) -> dict:
    return {key: key[0].stored_name(row) for key, row in world.items()}


def test_files_stored_before_tenancy_move_into_their_tenants_folder(legacy_world, media_root, move):
    before = {key: (key[0].stored_name(row), key[0].content(row)) for key, row in legacy_world.items()}

    output = move()

    for (route, tenant), row in legacy_world.items():
        old_name, content = before[(route, tenant)]
        folder = tenant_folder(tenant, route.model)
        assert re.fullmatch(f"{re.escape(folder)}{RANDOM_PART}{re.escape(Path(old_name).name)}", route.stored_name(row))
        assert route.content(row) == content
        assert not (media_root / old_name).exists()
    assert set(stored_files(media_root)) == set(names_of(legacy_world).values())
    assert "documents.Document: moved 2, missing 0" in output
    assert "compliance.IncidentPhoto: moved 2, missing 0" in output
    assert "comms.MessageAttachment: moved 1, missing 0" in output
    assert "compliance.RAMSDocument: moved 1, missing 0" in output
    assert "Total: moved 6, missing 0." in output

    moved = names_of(legacy_world)
    again = move()
    assert "Total: moved 0, missing 0." in again
    assert names_of(legacy_world) == moved


def test_a_dry_run_changes_nothing(legacy_world, media_root, move):
    names, files = names_of(legacy_world), stored_files(media_root)

    output = move("--dry-run")

    assert names_of(legacy_world) == names
    assert stored_files(media_root) == files
    assert "documents.Document: would move 2, missing 0" in output
    assert "Total: would move 6, missing 0." in output


def test_a_missing_file_is_reported_and_the_rest_still_move(media_root, tenant_a, owner_a, move):
    document, _attachment, photo, _rams = ROUTES
    lost = legacy(document, media_root, tenant_a, owner_a, "documents/lost.pdf", b"gone")
    (media_root / "documents/lost.pdf").unlink()
    kept = legacy(photo, media_root, tenant_a, owner_a, "uploads/photo.jpg", b"still here")

    output = move()

    assert document.stored_name(lost) == "documents/lost.pdf"
    assert photo.stored_name(kept).startswith("tenants/tenant-a/incidentphoto/")
    assert photo.content(kept) == b"still here"
    assert f"missing: documents.Document #{lost.pk} file: documents/lost.pdf" in output
    assert "documents.Document: moved 0, missing 1" in output
    assert "Total: moved 1, missing 1." in output


def test_files_in_place_stay_and_a_file_in_another_tenants_folder_moves_home(
    media_root, tenant_a, owner_a, tenant_b, owner_b, move
):
    document = ROUTES[0]
    in_place = document.store(tenant_a, owner_a)
    in_place_name = document.stored_name(in_place)
    misfiled = legacy(document, media_root, tenant_b, owner_b, "tenants/tenant-a/document/0123abcd_b.pdf", b"B's")

    output = move()

    assert document.stored_name(in_place) == in_place_name
    assert re.fullmatch(f"tenants/tenant-b/document/{RANDOM_PART}b\\.pdf", document.stored_name(misfiled))
    assert document.content(misfiled) == b"B's"
    assert not (media_root / "tenants/tenant-a/document/0123abcd_b.pdf").exists()
    assert "Total: moved 1, missing 0." in output


@pytest.mark.django_db(transaction=True)
def test_a_file_shared_by_two_tenants_rows_is_deleted_only_once_both_moved(media_root):
    """Committed for real: each row's old file is deleted as soon as its update commits,
    unless another tenant's row still needs it as its source."""
    document = ROUTES[0]
    tenant_a, tenant_b = TenantFactory(slug="tenant-a"), TenantFactory(slug="tenant-b")
    rows = [
        legacy(document, media_root, tenant, UserFactory(tenant=tenant), "documents/shared.pdf", b"shared")
        for tenant in (tenant_a, tenant_b)
    ]

    call_command("move_tenant_files", stdout=io.StringIO())

    assert [document.content(row) for row in rows] == [b"shared", b"shared"]
    assert [document.stored_name(row).split("/")[1] for row in rows] == ["tenant-a", "tenant-b"]
    assert not (media_root / "documents/shared.pdf").exists()
