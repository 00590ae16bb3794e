"""Settings every variant shares: one database per variant, no authentication, the same
DRF pagination. Each ``v_<name>/settings.py`` adds its library's apps and middleware."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PEERS_DIR = Path(__file__).resolve().parent
# The role a process connects as: the owner (postgres) builds and migrates, the runtime
# role serves where the design relies on row-level security (the variant decides).
OWNER_ROLE = "postgres"
RUNTIME_ROLE = "nbne_app"
PLATFORM_ROLE = "nbne_platform"


def database_name(variant: str) -> str:
    return f"nbne_peers_{variant}"


def connecting_as_owner() -> bool:
    """Whether this process builds (owner) rather than serves (runtime role)."""
    return os.environ.get("PEERS_ROLE", "owner") == "owner"


def database(variant: str, *, user: str = OWNER_ROLE, engine: str = "django.db.backends.postgresql") -> dict[str, Any]:
    return {
        "ENGINE": engine,
        "NAME": database_name(variant),
        "USER": user,
        "HOST": os.environ.get("PEERS_PGHOST", "127.0.0.1"),
        "PORT": os.environ.get("PEERS_PGPORT", "5432"),
        # Persistent connections for every variant: the connect is not what is compared.
        "CONN_MAX_AGE": 600,
    }


def base(variant: str, app: str) -> dict[str, Any]:
    """The settings of ``variant`` before its library's own: update the module's globals with it."""
    return {
        "BASE_DIR": PEERS_DIR,
        "SECRET_KEY": "bench-peers-not-secret",
        "DEBUG": False,
        "ALLOWED_HOSTS": ["*"],
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "ROOT_URLCONF": f"bench.peers.v_{variant}.urls",
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "INSTALLED_APPS": ["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", app],
        "MIDDLEWARE": [],
        "DATABASES": {"default": database(variant)},
        # Authentication is the same work in every design and is left out: the tenant is
        # named by the request (host or X-Tenant-Slug), as a signed-in user's would be.
        "REST_FRAMEWORK": {
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
            "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
            "PAGE_SIZE": 20,
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
            "UNAUTHENTICATED_USER": None,
        },
        "LOGGING": {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}},
        "MIGRATION_MODULES": {app.rsplit(".", 1)[-1]: f"{app}.migrations"},
    }
