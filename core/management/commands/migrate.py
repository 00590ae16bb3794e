from django.core.management.commands.migrate import Command as DjangoMigrateCommand

from core.tenancy.rls import as_database_owner


class Command(DjangoMigrateCommand):
    """Django's migrate, connected as the owner of DATABASE_MIGRATE_URL when it is set:
    the runtime role of DATABASE_URL may not change the schema."""

    def handle(self, *args, **options):
        with as_database_owner(options["database"]):
            return super().handle(*args, **options)
