from django.core.management.base import BaseCommand

from core.integrations.secrets import decode_key, generate_key, key_id_of


class Command(BaseCommand):
    help = (
        "Print a new key for TENANT_SECRETS_KEYS. To rotate, put it first and keep the old "
        "keys after it until `manage.py rotate_tenant_secrets` has run."
    )

    def handle(self, *args, **options) -> None:
        key = generate_key()
        # The key alone on stdout, so that it can be piped into a secret store.
        self.stdout.write(key)
        self.stderr.write(f"key id {key_id_of(decode_key(key))}")
