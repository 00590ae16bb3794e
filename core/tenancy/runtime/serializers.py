"""The DRF serializers of tenant data: every relation to tenant rows narrowed to the
tenant in scope, ``tenant`` never an input, per-tenant uniqueness a 400."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from rest_framework import serializers

from ..declarations import is_tenant_scoped
from ..scope import get_current_tenant
from .errors import audit_foreign_reference
from .scoping import scope_queryset


class TenantScopedFieldsMixin:
    """Narrows every related field that points at tenant data to the tenant in scope,
    so another tenant's pk fails exactly like a nonexistent one; drops ``tenant``."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields.pop("tenant", None)
        for field in fields.values():
            related = getattr(field, "child_relation", field)
            queryset = getattr(related, "queryset", None)
            if queryset is not None and is_tenant_scoped(queryset.model):
                related.get_queryset = _tenant_rows_of(related)
        return fields

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict) and hasattr(data, "get"):
                self._audit_foreign_references(data, exc.detail)
            raise

    def _audit_foreign_references(self, data, errors: dict) -> None:
        request = self.context.get("request")
        for name, messages in errors.items():
            field = self.fields.get(name)
            related = getattr(field, "child_relation", field)
            queryset = getattr(related, "queryset", None)
            codes = {getattr(m, "code", None) for m in (messages if isinstance(messages, list) else [messages])}
            if queryset is None or not is_tenant_scoped(queryset.model) or "does_not_exist" not in codes:
                continue
            values = data.get(name)
            audit_foreign_reference(
                queryset.model,
                values if isinstance(values, list) else [values],
                tenant=get_current_tenant(),
                user=getattr(request, "user", None),
                path=getattr(request, "path", ""),
                kind="foreign_reference",
            )


def _tenant_rows_of(field: serializers.RelatedField) -> Callable[[], models.QuerySet]:
    """The field's ``get_queryset``, narrowed to the tenant in scope when it is called.

    Narrowed on use (validating input, listing choices) rather than when the serializer
    is built: a serializer built only to render rows never reads these querysets, and
    narrowing them all costs a queryset clone per relation per request.
    """
    unscoped_rows = field.get_queryset

    def tenant_rows() -> models.QuerySet:
        tenant = get_current_tenant()
        rows = unscoped_rows()
        return scope_queryset(rows, tenant) if tenant is not None else rows

    return tenant_rows


class TenantSerializer(TenantScopedFieldsMixin, serializers.Serializer):
    """A plain serializer (request bodies for services) with tenant-scoped relations."""


class TenantModelSerializer(TenantScopedFieldsMixin, serializers.ModelSerializer):
    """A ModelSerializer with tenant-scoped relations and per-tenant uniqueness.

    Per-tenant unique constraints are validated here (DRF cannot, as ``tenant`` is
    not an input), so a duplicate is a 400, not a database error.
    """

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model = self.Meta.model
        for constraint in model._meta.constraints:
            fields = getattr(constraint, "fields", ())
            if "tenant" not in fields or getattr(constraint, "condition", None) is not None:
                continue
            self._validate_unique_in_tenant(model, [f for f in fields if f != "tenant"], attrs)
        return attrs

    def _validate_unique_in_tenant(self, model, fields: list[str], attrs: dict[str, Any]) -> None:
        values = {}
        for name in fields:
            if name in attrs:
                values[name] = attrs[name]
            elif self.instance is not None:
                values[name] = getattr(self.instance, name)
            else:
                return
        duplicates = model.objects.filter(**values)
        if self.instance is not None:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            label = " and ".join(fields)
            raise serializers.ValidationError(
                {fields[0]: [f"A {model._meta.verbose_name} with this {label} already exists."]},
                code="unique",
            )
