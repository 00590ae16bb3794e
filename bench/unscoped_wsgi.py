"""The app with its tenant clause taken out, for the scoping-overhead comparison only.

Each request runs inside ``application_filters_off()``: the tenancy core adds no tenant
filter to any query (and its write guards stand down). The benchmark serves this only on
the database of one tenant, with row-level security disabled for the phase, so the rows
are the same and only the cost of scoping differs.

Nothing in ``config/`` imports this module; gunicorn loads it by name
(``bench.unscoped_wsgi:application``) and it refuses to start unless the benchmark asked
for it and the database is a benchmark database.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from config.wsgi import application as scoped_application
from core.tenancy import application_filters_off

if os.environ.get("NBNE_BENCH_UNSCOPED") != "1":
    raise ImproperlyConfigured("bench.unscoped_wsgi serves only the benchmark (NBNE_BENCH_UNSCOPED=1).")


def _check_database() -> None:
    from django.conf import settings

    name = settings.DATABASES["default"].get("NAME") or ""
    if not str(name).startswith("nbne_bench"):
        raise ImproperlyConfigured(f"bench.unscoped_wsgi refuses database {name!r}: not a benchmark database.")


_check_database()


def application(environ, start_response):
    with application_filters_off():
        # Django renders the whole response inside the call, so the iterable returned
        # holds no work left for outside the context.
        return scoped_application(environ, start_response)
