"""Seeing each business: what every process tells operators about the work it does.

* ``context`` — the request id, route and user of the running work, in one ContextVar,
  read by every log line, SQL comment, metric and error report;
* ``logs`` — JSON log lines (python-json-logger) with that context, secrets redacted;
* ``middleware`` — binds the context per request, echoes ``X-Request-ID``, writes the
  access line, times the request and serves ``/metrics``;
* ``sql`` — the execute wrapper that comments each statement with its business and
  route or task (sqlcommenter style), and times the database per business;
* ``metrics`` — Prometheus metrics with a bounded ``business`` label;
* ``errors`` — Sentry, when ``SENTRY_DSN`` is set, tagged and scrubbed;
* ``security`` — the record, count and alert of every cross-tenant attempt;
* ``jobs`` and ``sockets`` — the same context for Celery tasks and WebSockets.

The tenant itself comes from ``core.tenancy`` (its public face): nothing here decides
or changes a scope, it only reports on it.
"""
