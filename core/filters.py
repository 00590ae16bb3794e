"""Filters shared by every app."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_filters.fields import IsoDateTimeField


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 datetime, turned into UTC before it reaches the database.

    PostgreSQL refuses UTC offsets beyond ±15:59 that Python accepts (e.g. -20:39),
    and an offset can push a datetime out of range: both are bad input, not errors.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and timezone.is_aware(value):
            try:
                value = value.astimezone(UTC)
            except OverflowError as exc:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        return value


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField
