from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.lifecycle.audit import command_actor
from core.lifecycle.onboarding import DEFAULT_TIME_ZONE, tenant_create
from core.tenancy import as_platform_role

# The service's field names as the command's options spell them.
OPTION_OF = {"slug": "SLUG", "name": "--name", "owner_email": "--owner-email", "domain": "--domain"}


class Command(BaseCommand):
    help = (
        "Create a business: its settings, its owner (role owner, no password yet) and its defaults, in one "
        "transaction, then e-mail the owner an invitation link that sets their password once. Prints the "
        "link and when it expires. Nothing is written when any detail is refused. Runs as the platform role "
        "(DATABASE_PLATFORM_URL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "slug", metavar="SLUG", help="lower-case letters, digits and inner hyphens: <slug>.TENANT_BASE_DOMAIN"
        )
        parser.add_argument("--name", required=True, help="the business's name, as its clients see it")
        parser.add_argument(
            "--owner-email", required=True, help="the owner's e-mail address; the invitation goes there"
        )
        parser.add_argument("--domain", help="the business's own domain, e.g. bookings.example.com (optional)")
        parser.add_argument("--timezone", default=DEFAULT_TIME_ZONE, help=f"a zone name (default: {DEFAULT_TIME_ZONE})")
        parser.add_argument(
            "--demo", action="store_true", help="mark it a demo business (reset and deleted without ceremony)"
        )

    def handle(self, *args, slug: str, name: str, owner_email: str, **options) -> None:
        # Platform work on one connection, so the business's transaction stays one.
        with as_platform_role():
            try:
                created = tenant_create(
                    slug=slug,
                    name=name,
                    owner_email=owner_email,
                    domain=options["domain"],
                    timezone=options["timezone"],
                    is_demo=options["demo"],
                    performed_by=command_actor(),
                )
            except ValidationError as exc:
                problems = [
                    f"{OPTION_OF.get(field, '--' + field)}: {message}"
                    for field, messages in exc.message_dict.items()
                    for message in messages
                ]
                raise CommandError("Nothing was created.\n" + "\n".join(problems)) from exc
        tenant, owner = created.tenant, created.owner
        self.stdout.write(self.style.SUCCESS(f"Created {tenant.name} ({tenant.slug})."))
        self.stdout.write(f"Owner: {owner.username} <{owner.email}>, invited by e-mail.")
        self.stdout.write(f"Invitation link: {created.invitation_url}")
        self.stdout.write(f"It works once, until {created.invitation_expires_at.isoformat(timespec='minutes')}.")
