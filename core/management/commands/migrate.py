from django.core.management.commands.migrate import Command as DjangoMigrateCommand

from core.tenancy import as_database_owner, with_platform_rights_on_default


class Command(DjangoMigrateCommand):
    """Django's migrate, connected as the owner of DATABASE_MIGRATE_URL when it is set:
    the runtime role of DATABASE_URL may not change the schema. Work across tenants in
    a migration stays on the owner's connection, in the migration's transaction."""

    def handle(self, *args, **options):
        with as_database_owner(options["database"]), with_platform_rights_on_default():
            return super().handle(*args, **options)
