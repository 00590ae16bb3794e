"""Choice fields documented as one named enum component each.

``status`` and ``source`` are common field names across the platform's apps; left to
drf-spectacular's enum naming, the lead's choice sets would collide with other apps'
(a schema warning). These fields reference ``LeadStatusEnum`` / ``LeadSourceEnum``
components instead.
"""

from __future__ import annotations

from django.db import models
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from crm.models import Lead


class _EnumChoiceField(serializers.ChoiceField):
    choices_class: type[models.TextChoices]

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=self.choices_class.choices, **kwargs)


class LeadStatusField(_EnumChoiceField):
    choices_class = Lead.Status


class LeadSourceField(_EnumChoiceField):
    choices_class = Lead.Source


class _EnumComponentExtension(OpenApiSerializerFieldExtension):
    component_name = ""
    choices_class: type[models.TextChoices]

    def map_serializer_field(self, auto_schema, direction):
        described = "\n".join(f"* `{value}` - {label}" for value, label in self.choices_class.choices)
        component = ResolvedComponent(
            name=self.component_name,
            type=ResolvedComponent.SCHEMA,
            object=self.component_name,
            schema={"type": "string", "enum": list(self.choices_class.values), "description": described},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class LeadStatusFieldExtension(_EnumComponentExtension):
    target_class = LeadStatusField
    component_name = "LeadStatusEnum"
    choices_class = Lead.Status


class LeadSourceFieldExtension(_EnumComponentExtension):
    target_class = LeadSourceField
    component_name = "LeadSourceEnum"
    choices_class = Lead.Source
