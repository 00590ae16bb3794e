from django.core.management.base import BaseCommand, CommandError

from core.integrations.secrets import current_key_id
from core.services import integration_keys_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every tenant's stored API key with the current key (the first of "
        "TENANT_SECRETS_KEYS); afterwards the older keys can be removed from the setting."
    )

    def handle(self, *args, **options) -> None:
        result = integration_keys_reencrypt()
        self.stdout.write(
            f"Re-encrypted {result.reencrypted} key(s) with key {current_key_id()}; "
            f"{result.already_current} already used it."
        )
        if result.unreadable:
            raise CommandError(
                "These keys could not be decrypted with any configured key and were left as they are: "
                + ", ".join(result.unreadable)
            )
