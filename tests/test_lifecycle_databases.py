"""A business moved to a second, empty database: the archive exported here is imported
there by ``import_tenant`` and served there by the Procfile's ``web`` line, as a move
between databases (docs/scaling.md) does it."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import global_settings, settings
from django.core.management import call_command

from accounts.factories import TEST_PASSWORD
from bookings.models import Client
from documents.models import Document
from tests.faults import ProcfileProcess
from tests.isolation import build_world
from tests.plugin import api_client_for
from tests.rls import ON_POSTGRESQL

ROOT = Path(__file__).resolve().parent.parent


def _postgres_url(role: str, name: str) -> str:
    database = settings.DATABASES["default"]
    return f"postgres://{role}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{name}"


@pytest.fixture
def second_database(tmp_path) -> Iterator[dict[str, str]]:
    """The environment of a second, empty database of the same release, migrated by the
    Procfile's ``release`` line: PostgreSQL with the two roles when the suite runs on it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "CELERY_", "PYTEST", "DJANGO_SETTINGS"))
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="second-database-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        DJANGO_SECURE_SSL_REDIRECT="false",
        MEDIA_ROOT=str(tmp_path / "second-media"),
        STATIC_ROOT=str(tmp_path / "static"),
        WEB_CONCURRENCY="1",
    )
    (tmp_path / "second-media").mkdir()
    name = None
    if ON_POSTGRESQL:
        name = f"{settings.DATABASES['default']['NAME']}_second"
        owner = settings.DATABASE_OWNER["USER"]
        with psycopg.connect(_postgres_url(owner, "postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        env.update(
            DATABASE_URL=_postgres_url(settings.TENANCY_RUNTIME_ROLE, name),
            DATABASE_MIGRATE_URL=_postgres_url(owner, name),
            DATABASE_PLATFORM_URL=_postgres_url(settings.TENANCY_PLATFORM_ROLE, name),
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'second.sqlite3'}"
    release = ProcfileProcess("release", env).run()
    assert release.returncode == 0, release.stderr[-3000:]
    yield env
    if name is not None:
        with psycopg.connect(_postgres_url(settings.DATABASE_OWNER["USER"], "postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_an_archive_imported_into_a_second_empty_database_serves_the_business_there(
    tenant_a, tenant_b, owner_a, owner_b, media_root, tmp_path, second_database, settings
):
    # The owner's hash as production makes it (the suite's own hasher is a fast one the
    # web process does not know): the login there proves the hash travelled.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    owner_a.set_password(TEST_PASSWORD)
    owner_a.save()
    world = build_world(tenant_a, owner_a)
    build_world(tenant_b, owner_b)
    archive = tmp_path / "a.tar.gz"
    call_command("export_tenant", tenant_a.slug, "--output", str(archive), stdout=io.StringIO(), stderr=io.StringIO())
    here = api_client_for(owner_a).get("/api/bookings/bookings/").json()
    document = world[Document]
    original_file = hashlib.sha256(Path(media_root, document.file.name).read_bytes()).hexdigest()

    imported = subprocess.run(
        [sys.executable, "manage.py", "import_tenant", str(archive)],
        cwd=ROOT,
        env=second_database,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr[-3000:]
    assert "Imported Tenant A as 'tenant-a'" in imported.stdout

    web = ProcfileProcess("web", second_database)
    web.start()
    try:
        headers = {"X-Tenant-Slug": tenant_a.slug}
        login = requests.post(
            f"{web.url}/api/auth/token/",
            json={"username": owner_a.username, "password": TEST_PASSWORD},
            headers=headers,
            timeout=10,
        )
        assert login.status_code == 200, login.text
        headers["Authorization"] = f"Bearer {login.json()['access']}"
        there = requests.get(f"{web.url}/api/bookings/bookings/", headers=headers, timeout=10).json()
        assert there["results"] == here["results"] and here["results"]
        download = requests.get(
            f"{web.url}/api/documents/documents/{document.pk}/download/", headers=headers, timeout=10
        )
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == original_file
        # Each sequence was moved past the ids kept: a new row there takes a fresh one.
        added = requests.post(
            f"{web.url}/api/bookings/clients/",
            json={"name": "New there", "email": "n@example.com"},
            headers=headers,
            timeout=10,
        )
        assert added.status_code == 201, added.text
        assert added.json()["id"] > world[Client].pk
        # Only A was moved: B's slug names nothing there.
        other = requests.get(f"{web.url}/api/tenant/", headers={"X-Tenant-Slug": tenant_b.slug}, timeout=10)
        assert other.status_code == 404
    finally:
        web.stop()
