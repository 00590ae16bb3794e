"""Tenants' secrets (their API keys), encrypted at rest with AES-GCM and bound to their row.

A stored secret reads ``v1:<key id>:<urlsafe base64 of nonce + ciphertext>``. The
associated data is ``"<tenant id>:<provider>"``: AES-GCM authenticates it with the
ciphertext, so a value copied into another tenant's row, or under another provider,
fails to decrypt instead of handing one business another's key.

Keys come from ``TENANT_SECRETS_KEYS`` (urlsafe base64 of 32 bytes each): the first
encrypts, every one decrypts, so a new key is put first and the old ones stay until
:func:`reencrypt_secret` (``manage.py rotate_tenant_secrets``) has moved every value.
With no key set and DEBUG on at start-up, a development key is derived from
``SECRET_KEY``; production has no default (``check --deploy``: tenancy.E030).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12  # the size AES-GCM is specified and fastest for
_DEV_KEY_INFO = b"nbne tenant secrets: development key"


class SecretDecryptionError(Exception):
    """A stored secret could not be read. The message never holds the secret or the key."""


class SecretsNotConfigured(ImproperlyConfigured):
    """No usable key in TENANT_SECRETS_KEYS (none set, or one malformed)."""


@dataclass(frozen=True)
class SecretsKey:
    key_id: str
    material: bytes

    def __repr__(self) -> str:  # the material stays out of tracebacks and logs
        return f"SecretsKey(key_id={self.key_id!r})"


def key_id_of(material: bytes) -> str:
    return hashlib.sha256(material).hexdigest()[:8]


def decode_key(value: str) -> bytes:
    """The 32 bytes of a configured key, or SecretsNotConfigured (without echoing it)."""
    try:
        material = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SecretsNotConfigured("A TENANT_SECRETS_KEYS entry is not urlsafe base64.") from exc
    if len(material) != KEY_BYTES:
        raise SecretsNotConfigured(f"A TENANT_SECRETS_KEYS entry is {len(material)} bytes, not {KEY_BYTES}.")
    return material


def generate_key() -> str:
    """A new key, as it goes in ``TENANT_SECRETS_KEYS``."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def _development_key() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=_DEV_KEY_INFO).derive(
        settings.SECRET_KEY.encode()
    )


def configured_keys() -> list[SecretsKey]:
    """The keys in order: the first encrypts, all decrypt."""
    configured = [value for value in getattr(settings, "TENANT_SECRETS_KEYS", []) if value.strip()]
    if configured:
        materials = [decode_key(value) for value in configured]
    elif getattr(settings, "TENANT_SECRETS_DERIVE_DEV_KEY", False):
        materials = [_development_key()]
    else:
        raise SecretsNotConfigured(
            "TENANT_SECRETS_KEYS is not set: tenants' API keys can be neither stored nor read. "
            "Create one with `manage.py generate_secrets_key`."
        )
    return [SecretsKey(key_id_of(material), material) for material in materials]


def current_key_id() -> str:
    return configured_keys()[0].key_id


def associated_data(*, tenant_id: int, provider: str) -> bytes:
    if tenant_id is None:
        raise ValueError("A tenant secret needs a saved tenant.")
    return f"{int(tenant_id)}:{provider}".encode()


def encrypt_secret(plaintext: str, *, tenant_id: int, provider: str) -> str:
    """``plaintext`` encrypted with the current key and bound to ``tenant_id`` and ``provider``."""
    key = configured_keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key.material).encrypt(
        nonce, plaintext.encode(), associated_data(tenant_id=tenant_id, provider=provider)
    )
    return f"{VERSION}:{key.key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def _parse(stored: str) -> tuple[str, bytes]:
    parts = (stored or "").split(":", 2)
    if len(parts) != 3 or parts[0] != VERSION:
        raise SecretDecryptionError("The stored secret is not in a format this version reads.")
    try:
        blob = base64.urlsafe_b64decode(parts[2])
    except (binascii.Error, ValueError) as exc:
        raise SecretDecryptionError("The stored secret is corrupt.") from exc
    if len(blob) <= NONCE_BYTES:
        raise SecretDecryptionError("The stored secret is corrupt.")
    return parts[1], blob


def stored_key_id(stored: str) -> str:
    """The id of the key ``stored`` was encrypted with."""
    return _parse(stored)[0]


def decrypt_secret(stored: str, *, tenant_id: int, provider: str) -> str:
    """The plaintext of ``stored``, only if it was encrypted for ``tenant_id`` and ``provider``."""
    key_id, blob = _parse(stored)
    # Ids are 8 hex digits: two keys may share one, so every key with the id is tried.
    candidates = [key for key in configured_keys() if key.key_id == key_id]
    if not candidates:
        raise SecretDecryptionError(
            f"The stored secret was encrypted with key {key_id}, which is not in TENANT_SECRETS_KEYS."
        )
    aad = associated_data(tenant_id=tenant_id, provider=provider)
    for key in candidates:
        try:
            plaintext = AESGCM(key.material).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
            break
        except InvalidTag:
            continue
    else:
        raise SecretDecryptionError(
            f"The stored secret does not belong to tenant {tenant_id} and provider {provider!r}, or it was altered."
        )
    return plaintext.decode()


def reencrypt_secret(stored: str, *, tenant_id: int, provider: str) -> str | None:
    """``stored`` under the current key, or None when it already is."""
    if stored_key_id(stored) == current_key_id():
        return None
    return encrypt_secret(
        decrypt_secret(stored, tenant_id=tenant_id, provider=provider), tenant_id=tenant_id, provider=provider
    )
