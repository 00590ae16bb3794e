from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from core.tenancy import citus_plan_sql


class Command(BaseCommand):
    help = (
        "Print the SQL that would distribute this schema on Citus, generated from the models' tenancy "
        "declarations: reference tables, tables distributed by tenant_id in one co-location group, and the "
        "keys Citus refuses that change first. Runs nothing. On PostgreSQL the constraint names are read "
        "from the database's catalog (run it against a migrated database); elsewhere from Django's naming."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", metavar="FILE", help="write the plan to FILE instead of standard output")
        parser.add_argument("--database", default="default", help="the database whose schema is planned")

    def handle(self, *args, output: str | None, database: str, **options) -> None:
        script = "\n".join(citus_plan_sql(connections[database])) + "\n"
        if output:
            Path(output).write_text(script)
            self.stderr.write(f"Wrote the Citus plan to {output}.")
        else:
            self.stdout.write(script, ending="")
