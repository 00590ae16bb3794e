from django.core.management.base import BaseCommand, CommandError

from core.lifecycle.audit import command_actor
from core.lifecycle.deletion import DeletionRefused, tenant_delete
from core.models import TenantSettings
from core.tenancy import as_platform_role

REAL_DATA_FLAG = "--i-understand-this-is-real-data"


class Command(BaseCommand):
    help = (
        "Delete one business whole: every row of it in every table, its users, its files (local "
        "or S3) and its cache entries, then count what remains; a platform audit record keeps "
        "who, when and how much. --dry-run prints the counts and changes nothing. A business not "
        f"marked demo also needs {REAL_DATA_FLAG}. Runs as the platform role (DATABASE_PLATFORM_URL)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="the business to delete")
        parser.add_argument("--confirm", metavar="SLUG", help="the slug again, to confirm")
        parser.add_argument("--dry-run", action="store_true", help="print what would be deleted; change nothing")
        parser.add_argument(REAL_DATA_FLAG, dest="real_data", action="store_true", help="for a business not demo")

    def handle(self, *args, slug: str, confirm: str | None, dry_run: bool, real_data: bool, **options) -> None:
        if not dry_run and confirm != slug:
            raise CommandError(f"Nothing was deleted: confirm with --confirm {slug}.")
        with as_platform_role():
            tenant = TenantSettings.objects.filter(slug=slug).first()
            if tenant is None:
                raise CommandError(f"No business is called '{slug}'.")
            if not tenant.is_demo and not real_data and not dry_run:
                raise CommandError(f"Nothing was deleted: '{slug}' holds real data (not demo); add {REAL_DATA_FLAG}.")
            try:
                report = tenant_delete(
                    tenant=tenant, performed_by=command_actor(), dry_run=dry_run, real_data_confirmed=real_data
                )
            except DeletionRefused as exc:
                raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        if report.remaining_files:
            raise CommandError(
                f"The rows are deleted, but {len(report.remaining_files)} files could not be: "
                + ", ".join(report.remaining_files[:10])
            )
        if not dry_run:
            self.stdout.write(self.style.SUCCESS(f"Deleted {tenant.name} ({slug}); nothing of it remains."))
