"""Check and deploy time: the system checks (registered when imported) and the registry
of models, routes and tenant tables they read."""

from . import database, declarations, sources, tasks  # noqa: F401  (registers the checks)
