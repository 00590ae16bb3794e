import os
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.lifecycle.audit import command_actor, platform_audit_record
from core.lifecycle.export import tenant_export
from core.models import PlatformAuditRecord, TenantSettings


class Command(BaseCommand):
    help = (
        "Export one business to a .tar.gz archive: its settings, its users (password hashes "
        "kept), every row of every tenant table, its files and a manifest of counts and "
        "checksums. Reads one snapshot in the business's own scope as the runtime role; "
        "progress goes to stderr. Restore it with import_tenant."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="the business to export")
        parser.add_argument("--output", required=True, help="the archive to write (.tar.gz); replaced if it exists")

    def handle(self, *args, slug: str, output: str, **options) -> None:
        tenant = TenantSettings.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No business is called '{slug}'.")
        target = Path(output)
        if target.is_dir() or not target.parent.is_dir():
            raise CommandError(f"{output} is not a file in an existing folder.")
        # Written beside the target and renamed at the end: a failed export leaves no
        # archive that looks whole.
        partial = target.with_name(f".{target.name}.partial")
        started = time.monotonic()
        try:
            with partial.open("wb") as out:
                manifest = tenant_export(tenant=tenant, target=out, progress=self.progress)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        rows = sum(entry["rows"] for entry in manifest["tables"])
        files = sum("member" in entry for entry in manifest["files"])
        platform_audit_record(
            action=PlatformAuditRecord.Action.EXPORTED,
            tenant=tenant,
            performed_by=command_actor(),
            details={"rows": rows, "files": files, "bytes": target.stat().st_size},
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {tenant.name} ({slug}): {rows} rows in {len(manifest['tables'])} tables, "
                f"{files} files, {target.stat().st_size} bytes to {target} in {time.monotonic() - started:.1f}s."
            )
        )

    def progress(self, message: str) -> None:
        sys.stderr.write(f"{message}\n")
