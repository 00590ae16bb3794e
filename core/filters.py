"""Filters shared by every app."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EMPTY_VALUES
from django.utils import timezone
from django_filters.fields import IsoDateTimeField

from core.dates import validate_date_in_bounds


class BoundedDateFormField(forms.DateField):
    """A date within the platform's bounds (``core.dates``): a day range built from it
    cannot overflow."""

    default_validators = [validate_date_in_bounds]


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateFormField


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 datetime within the platform's bounds, turned into UTC before it
    reaches the database.

    PostgreSQL refuses UTC offsets beyond ±15:59 that Python accepts (e.g. -20:39),
    and an offset can push a datetime out of range: both are bad input, not errors.
    """

    default_validators = [validate_date_in_bounds]

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


class BusinessDayFilter(BoundedDateFilter):
    """Rows whose datetime falls on a day of the business's own calendar (its time zone,
    not the server's), as a range on the column, which its ``(tenant, …)`` index serves."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        tenant = getattr(getattr(self.parent, "request", None), "tenant", None)
        zone = tenant.zone if tenant is not None else timezone.get_current_timezone()
        starts = datetime.combine(value, time.min, zone).astimezone(UTC)
        ends = datetime.combine(value + timedelta(days=1), time.min, zone).astimezone(UTC)
        return qs.filter(**{f"{self.field_name}__gte": starts, f"{self.field_name}__lt": ends})


def member_filter(**kwargs) -> django_filters.ModelChoiceFilter:
    """A filter naming one of the request's business's people (``?owner=<user id>``):
    another business's user id is an invalid choice, the same 400 as a missing one."""
    return django_filters.ModelChoiceFilter(queryset=_members_of_request, **kwargs)


def _members_of_request(request):
    from accounts.selectors import members_of  # accounts' models import core's

    return members_of(tenant=getattr(request, "tenant", None))
