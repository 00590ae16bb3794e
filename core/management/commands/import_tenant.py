import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.lifecycle.archive import ArchiveRefused
from core.lifecycle.audit import command_actor
from core.lifecycle.restore import tenant_import
from core.tenancy import as_platform_role


class Command(BaseCommand):
    help = (
        "Restore a business from an archive of export_tenant, into this database or another at "
        "the same migration state: all or nothing, in one transaction. Ids are kept where free "
        "and given anew where taken (every reference follows); files are copied into "
        "tenants/<slug>/. A truncated or altered archive, a newer format or a slug in use is "
        "refused before anything is written. Runs as the platform role (DATABASE_PLATFORM_URL)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="the .tar.gz written by export_tenant")
        parser.add_argument("--slug", help="restore under this slug instead of the archive's (a copy)")

    def handle(self, *args, archive: str, slug: str | None = None, **options) -> None:
        source = Path(archive)
        if not source.is_file():
            raise CommandError(f"{archive} is not a file.")
        started = time.monotonic()
        try:
            with as_platform_role():
                result = tenant_import(source=source, slug=slug, performed_by=command_actor(), progress=self.progress)
        except ArchiveRefused as exc:
            raise CommandError(f"Nothing was imported: {exc}") from exc
        for note in result.notes:
            self.stderr.write(note)
        remapped = sum(result.remapped.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.tenant.name} as '{result.tenant.slug}' (id {result.tenant.pk}): "
                f"{sum(result.rows.values())} rows ({remapped} with new ids), {result.files} files "
                f"in {time.monotonic() - started:.1f}s."
            )
        )

    def progress(self, message: str) -> None:
        sys.stderr.write(f"{message}\n")
