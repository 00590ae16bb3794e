"""Prometheus metrics, served at ``/metrics`` to a scraper that holds ``METRICS_TOKEN``.

Label cardinality stays bounded at 10,000 businesses: a business gets a ``business``
label of its own only while it is among the busiest ``METRICS_BUSINESS_LABELS`` of a
process (see :class:`BusinessLabels`); every other business is counted as
``business="other"``. Routes are URL pattern names (a fixed set), methods and status
classes are fixed sets, so no input mints a series.

With several server processes (gunicorn's workers) set ``PROMETHEUS_MULTIPROC_DIR`` to
an empty directory: each process writes its samples there and ``/metrics`` adds them
up (prometheus-client's multiprocess mode; ``gunicorn.conf.py`` empties it at start).
"""

from __future__ import annotations

import hmac
import os
import threading
import time
from collections import Counter as Tally

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest

OTHER = "other"
NONE = "none"  # no business: the platform's own hosts
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

REQUESTS = Counter("http_requests_total", "HTTP requests answered", ["business", "method", "status"])
REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds", "Time to answer a request", ["business"], buckets=LATENCY_BUCKETS
)
ROUTE_SECONDS = Histogram(
    "http_route_duration_seconds", "Time to answer a request, per route", ["route", "status"], buckets=LATENCY_BUCKETS
)
DATABASE_SECONDS = Counter("db_query_seconds_total", "Time spent in database statements", ["business"])
DATABASE_STATEMENTS = Counter("db_statements_total", "Database statements run", ["business"])
CROSS_TENANT_ATTEMPTS = Counter(
    "tenancy_cross_tenant_attempts_total", "Refusals of a request reaching into another business", ["kind"]
)


class BusinessLabels:
    """Which businesses get a label of their own in this process.

    Requests are tallied per business over a window (``METRICS_BUSINESS_WINDOW_SECONDS``);
    when a window ends, its busiest businesses are given labels, up to
    ``METRICS_BUSINESS_LABELS`` in all. A business once labelled keeps its label for the
    life of the process (a Prometheus series cannot be taken back in multiprocess mode,
    and a label that comes and goes would break ``rate()``), so each process exports at
    most that many businesses, whatever their number; a deploy starts afresh. The tally
    itself is one integer per business active in the window.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._labelled: set[str] = set()
        self._tally: Tally[str] = Tally()
        self._window_started = time.monotonic()

    def label(self, slug: str | None, *, count: bool = True) -> str:
        if not slug:
            return NONE
        with self._lock:
            if count:
                self._tally[slug] += 1
            if time.monotonic() - self._window_started >= settings.METRICS_BUSINESS_WINDOW_SECONDS:
                self._promote()
            return slug if slug in self._labelled else OTHER

    def _promote(self) -> None:
        room = settings.METRICS_BUSINESS_LABELS - len(self._labelled)
        for slug, _requests in self._tally.most_common():
            if room <= 0:
                break
            if slug not in self._labelled:
                self._labelled.add(slug)
                room -= 1
        self._tally.clear()
        self._window_started = time.monotonic()

    def reset(self) -> None:
        """Forget every label (tests)."""
        with self._lock:
            self._labelled.clear()
            self._tally.clear()
            self._window_started = time.monotonic()


business_labels = BusinessLabels()


def observe_request(
    *, slug: str | None, method: str, status: int, seconds: float, route: str, database: tuple[float, int]
) -> None:
    business = business_labels.label(slug)
    status_class = f"{status // 100}xx"
    REQUESTS.labels(business, method if method in METHODS else OTHER, status_class).inc()
    REQUEST_SECONDS.labels(business).observe(seconds)
    ROUTE_SECONDS.labels(route or "unmatched", status_class).observe(seconds)
    _observe_database(business, *database)


def observe_database(slug: str | None, seconds: float, statements: int) -> None:
    _observe_database(business_labels.label(slug, count=False), seconds, statements)


def _observe_database(business: str, seconds: float, statements: int) -> None:
    if statements:
        DATABASE_SECONDS.labels(business).inc(seconds)
        DATABASE_STATEMENTS.labels(business).inc(statements)


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def _refusal(status: int, code: str, detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail, "code": code}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response


def metrics_response(request: HttpRequest) -> HttpResponse:
    """``/metrics``: absent (404) with no ``METRICS_TOKEN`` set and on every business's
    host; 401 without a bearer token, 403 with another; the metrics with the right one."""
    from core.tenancy import is_platform_host

    token = settings.METRICS_TOKEN
    if not token or not is_platform_host(request):
        return _refusal(404, "not_found", "Not found.")
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not presented:
        return _refusal(401, "not_authenticated", "Authentication credentials were not provided.")
    if not hmac.compare_digest(presented.strip().encode(), token.encode()):
        return _refusal(403, "permission_denied", "The metrics token is not valid.")
    response = HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
