"""The dates and times the API accepts: years a business works in.

Python and PostgreSQL hold years 1 to 9999, but the platform derives other times from
the ones it is given: a booking's end (its start plus the service's length), the next
day and the week around a date, the same moment in the business's time zone. A date at
the edge of Python's range makes those overflow, so every date and time that comes in,
in a body or a query parameter, is kept between ``EARLIEST_DATE`` and ``LATEST_DATE``,
far enough inside that nothing derived from it can leave the range.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from rest_framework import serializers

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
OUT_OF_RANGE_MESSAGE = f"Enter a date between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."


def date_in_bounds(value: date | datetime) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def validate_date_in_bounds(value: date | datetime | None) -> None:
    """A Django validator (form fields, query parameter filters)."""
    if value is not None and not date_in_bounds(value):
        raise ValidationError(OUT_OF_RANGE_MESSAGE, code="out_of_range")


class BoundedDateField(serializers.DateField):
    """A DRF date that refuses years outside the platform's bounds (a 400 naming the field)."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE_MESSAGE}

    # Checked here rather than as a validator: a ModelSerializer replaces a field's
    # default validators with its model field's own.
    def to_internal_value(self, value) -> date:
        day = super().to_internal_value(value)
        if not date_in_bounds(day):
            self.fail("out_of_range")
        return day


class BoundedDateTimeField(serializers.DateTimeField):
    """A DRF date and time that refuses years outside the platform's bounds."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE_MESSAGE}

    def to_internal_value(self, value) -> datetime:
        moment = super().to_internal_value(value)
        if not date_in_bounds(moment):
            self.fail("out_of_range")
        return moment
