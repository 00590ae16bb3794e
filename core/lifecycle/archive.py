"""The archive a business is exported to and restored from: one ``.tar.gz``.

Members::

    tables/<app>.<model>.jsonl   one JSON array per row, values in the order of the
                                 manifest's ``columns`` for the table
    tenant.json                  the business's own settings row
    files/<stored name>          every file its rows name, as stored
    manifest.json                last: format and version, the migration state, and per
                                 member its row count, size and SHA-256

The manifest comes last because it holds every other member's checksum; a reader
extracts the whole archive first and checks it all before anything is written
(:func:`open_archive`), so a truncated or altered archive is refused whole.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import posixpath
import shutil
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "nbne-tenant-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SETTINGS_MEMBER = "tenant.json"
TABLES_FOLDER = "tables/"
FILES_FOLDER = "files/"
CHUNK = 1024 * 1024


class ArchiveRefused(Exception):
    """The archive cannot be restored here; the message says why, for an operator."""


def table_member(label: str) -> str:
    return f"{TABLES_FOLDER}{label}.jsonl"


def file_member(name: str) -> str:
    return f"{FILES_FOLDER}{name}"


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but keeping the microseconds of times (it rounds them to
    milliseconds), so that a restored row is the row that was exported."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def json_line(value: Any) -> bytes:
    return json.dumps(value, cls=ExactJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def migration_state() -> list[list[str]]:
    """The migrations applied to this database, as ``[app, name]`` pairs in order: an
    archive is restored only where they are the same."""
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted([app, name] for app, name in applied)


class _Hashing:
    """A file object that hashes what is read through it (for tarfile, which reads a
    member's bytes once)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data


class ArchiveWriter:
    """Members added one by one to a gzipped tar, streamed: nothing is held whole."""

    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar

    def add(self, member: str, source: IO[bytes], size: int) -> str:
        """Add ``size`` bytes read from ``source`` as ``member``; their SHA-256."""
        info = tarfile.TarInfo(member)
        info.size = size
        info.mode = 0o644
        hashing = _Hashing(source)
        self.tar.addfile(info, hashing)
        return hashing.digest.hexdigest()

    def add_file(self, member: str, path: Path) -> str:
        with path.open("rb") as source:
            return self.add(member, source, path.stat().st_size)


@contextmanager
def archive_writer(target: IO[bytes]) -> Iterator[ArchiveWriter]:
    with tarfile.open(fileobj=target, mode="w:gz") as tar:
        yield ArchiveWriter(tar)


@dataclass(frozen=True)
class OpenedArchive:
    """An archive extracted to ``root`` and checked against its manifest."""

    root: Path
    manifest: dict[str, Any]

    def path(self, member: str) -> Path:
        return self.root / member

    def rows(self, member: str) -> Iterator[list[Any]]:
        with self.path(member).open("rb") as lines:
            for line in lines:
                yield json.loads(line)

    def settings(self) -> dict[str, Any]:
        return json.loads(self.path(SETTINGS_MEMBER).read_bytes())


def _safe_member_name(name: str) -> bool:
    normal = posixpath.normpath(name)
    if normal != name or name.startswith("/") or ".." in name.split("/"):
        return False
    return name in (MANIFEST, SETTINGS_MEMBER) or name.startswith((TABLES_FOLDER, FILES_FOLDER))


@contextmanager
def open_archive(source: Path, workdir: Path) -> Iterator[OpenedArchive]:
    """Extract ``source`` into ``workdir`` and check every member against the manifest:
    the format, each member's size and SHA-256, nothing missing and nothing more.
    Raises :class:`ArchiveRefused` before the caller has written anything."""
    digests: dict[str, tuple[int, str]] = {}
    try:
        with tarfile.open(source, mode="r:gz") as tar:
            for info in tar:
                if not info.isfile() or not _safe_member_name(info.name):
                    raise ArchiveRefused(f"The archive holds {info.name!r}, which no tenant archive holds.")
                target = workdir / info.name
                target.parent.mkdir(parents=True, exist_ok=True)
                hashing = _Hashing(tar.extractfile(info))
                with target.open("wb") as out:
                    shutil.copyfileobj(hashing, out, CHUNK)
                digests[info.name] = (info.size, hashing.digest.hexdigest())
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ArchiveRefused(f"The archive is truncated or not a tenant archive ({exc}).") from exc
    if MANIFEST not in digests:
        raise ArchiveRefused("The archive has no manifest: it is truncated or not a tenant archive.")
    manifest = json.loads((workdir / MANIFEST).read_bytes())
    if manifest.get("format") != FORMAT:
        raise ArchiveRefused("This is not a tenant archive.")
    if not isinstance(manifest.get("version"), int) or manifest["version"] > FORMAT_VERSION:
        raise ArchiveRefused(
            f"The archive is of format version {manifest.get('version')}; this release reads up to "
            f"{FORMAT_VERSION}. Restore it with the release that made it, or a newer one."
        )
    expected = {entry["member"]: (entry["size"], entry["sha256"]) for entry in manifest_members(manifest)}
    for member, (size, digest) in expected.items():
        if member not in digests:
            raise ArchiveRefused(f"The archive lacks {member}: it is truncated.")
        if digests[member] != (size, digest):
            raise ArchiveRefused(f"{member} does not match its checksum in the manifest: the archive was altered.")
    unlisted = set(digests) - set(expected) - {MANIFEST}
    if unlisted:
        raise ArchiveRefused(f"The archive holds members its manifest does not list: {', '.join(sorted(unlisted))}.")
    yield OpenedArchive(workdir, manifest)


def manifest_members(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every member the manifest vouches for: the settings, the tables, the files."""
    return [manifest["settings"], *manifest["tables"], *(f for f in manifest["files"] if "member" in f)]
