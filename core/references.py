"""Opaque references for what anonymous visitors are shown (public services, staff,
booking confirmations), in place of sequence ids.

A sequence id tells a visitor how many rows every business created in between (two
public bookings a day apart reveal how busy the whole platform was). A reference is
the row's kind, business and id encrypted as one AES block under a key derived from
``SECRET_KEY``: a keyed permutation of 128 bits, so references look random, reveal no
order, and cannot be made up. A reference decodes only for its own kind and business:
another business's reference is refused like one that never existed.

(One block under AES is a pseudorandom permutation: the ECB "mode" is that block
cipher applied once, which is exactly what is wanted for a fixed-size identifier.)
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.tenancy import get_current_tenant

_LAYOUT = struct.Struct(">HIHQ")  # kind, tenant id, zero, row id: one 16-byte block

_SHAPE = re.compile(r"[A-Za-z0-9_-]{22}")  # 16 bytes, URL-safe base64 without padding

# How the API schema describes a reference (the fields' own help text is added to it).
_REFERENCE_SCHEMA = {"type": "string", "minLength": 22, "maxLength": 22, "pattern": "^[A-Za-z0-9_-]{22}$"}


@lru_cache(maxsize=4)
def _cipher(secret_key: str) -> Cipher:
    key = HKDF(algorithm=hashes.SHA256(), length=16, salt=None, info=b"nbne public references").derive(
        secret_key.encode()
    )
    return Cipher(algorithms.AES(key), modes.ECB())  # one block: a keyed permutation, see above


def _kind(model: type[models.Model]) -> int:
    return int.from_bytes(hashlib.sha256(model._meta.label_lower.encode()).digest()[:2], "big")


def public_reference(row: models.Model) -> str:
    """The opaque reference of ``row`` (a tenant row): 22 URL-safe characters."""
    block = _LAYOUT.pack(_kind(type(row)), row.tenant_id, 0, row.pk)
    encryptor = _cipher(settings.SECRET_KEY).encryptor()
    return base64.urlsafe_b64encode(encryptor.update(block) + encryptor.finalize()).rstrip(b"=").decode()


def row_id_of_reference(model: type[models.Model], reference: object, *, tenant_id: int) -> int | None:
    """The id of the ``model`` row of ``tenant_id`` that ``reference`` names, or None
    for anything else (malformed, another kind, another business)."""
    if not isinstance(reference, str) or not _SHAPE.fullmatch(reference):
        return None
    block = base64.urlsafe_b64decode(reference + "==")
    if base64.urlsafe_b64encode(block).rstrip(b"=").decode() != reference:
        return None  # the last character's 4 spare bits set: not a reference this module wrote
    decryptor = _cipher(settings.SECRET_KEY).decryptor()
    kind, owner, zero, row_id = _LAYOUT.unpack(decryptor.update(block) + decryptor.finalize())
    if kind != _kind(model) or owner != tenant_id or zero:
        return None
    return row_id


@extend_schema_field(_REFERENCE_SCHEMA)
class PublicReferenceField(serializers.RelatedField):
    """A relation shown and given as the row's opaque reference. A reference of another
    kind or business, or a malformed one, fails exactly like a missing row."""

    default_error_messages = {"does_not_exist": "No such {name}.", "incorrect_type": "Give a reference."}

    def to_representation(self, value: models.Model) -> str:
        return public_reference(value)

    def to_internal_value(self, data: object) -> models.Model:
        rows = self.get_queryset()
        tenant = get_current_tenant()
        row_id = row_id_of_reference(rows.model, data, tenant_id=tenant.pk) if tenant is not None else None
        row = rows.filter(pk=row_id).first() if row_id is not None else None
        if row is None:
            self.fail("does_not_exist", name=rows.model._meta.verbose_name)
        return row


@extend_schema_field(_REFERENCE_SCHEMA)
class OwnReferenceField(serializers.Field):
    """A row's opaque reference, read only: the serialized row's own by default."""

    def __init__(self, *, source: str = "*", **kwargs) -> None:
        super().__init__(source=source, read_only=True, **kwargs)

    def to_representation(self, value: models.Model) -> str:
        return public_reference(value)
