from django.core.management.base import BaseCommand

from core.file_moves import move_tenant_files


class Command(BaseCommand):
    help = (
        "Move files stored before tenancy into tenants/<slug>/<model>/ of their row's tenant: "
        "copy through the storage, update the row's column, delete the old copy once committed. "
        "Files missing from storage are reported and their rows left alone; a second run moves nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="report what would move; change nothing")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        report = move_tenant_files(dry_run=dry_run)
        for line in report.lines():
            self.stdout.write(line)
