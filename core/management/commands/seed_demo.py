from django.core.management.base import BaseCommand, CommandError

from core.demo import DEMO_BUSINESSES, DemoRefused, ensure_platform_tenant, seed_demo_tenant
from core.tenancy import as_platform_role


class Command(BaseCommand):
    help = (
        "Create or reset a demo tenant with realistic data, in one transaction. "
        "Refuses tenants not marked demo. Users: <slug>-owner, <slug>-manager, <slug>-staff "
        "with the password in DEMO_PASSWORD. Runs as the platform role (DATABASE_PLATFORM_URL)."
    )

    def add_arguments(self, parser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--tenant", help=f"one of: {', '.join(DEMO_BUSINESSES)}")
        target.add_argument("--all", action="store_true", help="every demo tenant, and the NBNE tenant if missing")

    def handle(self, *args, tenant: str | None = None, all: bool = False, **options) -> None:
        slugs = list(DEMO_BUSINESSES) if all else [tenant]
        # Platform work on one connection: each tenant's reset is one transaction, and
        # only the platform role may clear a tenant or create the operator.
        with as_platform_role():
            self.seed(slugs, all)

    def seed(self, slugs: list[str], all: bool) -> None:
        try:
            for slug in slugs:
                seeded = seed_demo_tenant(slug)
                self.stdout.write(self.style.SUCCESS(f"Seeded {seeded.name} ({seeded.slug})."))
            if all:
                nbne, created = ensure_platform_tenant()
                state = "created" if created else "left as it is (real data)"
                self.stdout.write(f"{nbne.name} ({nbne.slug}) {state}.")
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
