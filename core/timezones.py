"""Business time zones: names checked against the zoneinfo database, and a zone that is
always usable even when a stored name is not."""

from __future__ import annotations

import functools
import logging
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)


@functools.cache
def time_zone_names() -> frozenset[str]:
    # Read from the zoneinfo files once per process: listing them walks the directory.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError("Use a time zone name like Europe/London.", code="unknown_time_zone")


def zone_named(name: str, *, owner: object) -> zoneinfo.ZoneInfo:
    """The zone called ``name``, or the platform's own when there is none by that name
    (a value stored before names were checked, or a zone gone from the database): a
    page then shows the platform's times rather than failing. ``owner`` names what the
    zone belongs to in the warning."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        unknown_zone_warned(name, str(owner))
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@functools.lru_cache(maxsize=1024)
def unknown_zone_warned(name: str, owner: str) -> None:
    # Once per process and owner: a page reads its business's zone several times.
    logger.warning("unknown time zone %r of %s; using %s", name, owner, settings.TIME_ZONE)
