"""What the project holds, as the checks, the demo and the tests enumerate it: its
models, its API routes and its tenant tables."""

from __future__ import annotations

from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from ..declarations import tenancy_of


def project_app_configs() -> list[AppConfig]:
    """The installed apps that are the project's own (not Django's, not packages)."""
    base = Path(settings.BASE_DIR).resolve()
    return [
        config
        for config in apps.get_app_configs()
        if base in (path := Path(config.path).resolve()).parents and ".venv" not in path.parts
    ]


def project_models() -> list[type[models.Model]]:
    """Every concrete model of the project's own apps (auto-created join tables aside)."""
    return [m for config in project_app_configs() for m in config.get_models() if not m._meta.auto_created]


def api_views(resolver: URLResolver | None = None, prefix: str = ""):
    """Every (route, view class) in the URLconf that is a DRF view."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from api_views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            cls = getattr(entry.callback, "cls", None)
            if isinstance(cls, type) and issubclass(cls, APIView):
                yield prefix + str(entry.pattern), cls, entry


def tenant_table_models(all_models: list[type[models.Model]]) -> dict[str, tuple[type[models.Model], str]]:
    """Every table that holds tenant rows (scoped models and their auto-created join
    tables), with the model of its rows and the ORM lookup of their tenant's id."""
    found = {}
    for model in all_models:
        tenancy = tenancy_of(model)
        if tenancy is None or not tenancy.is_scoped:
            continue
        found[model._meta.db_table] = (model, tenancy.tenant_id_lookup)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created:
                found[through._meta.db_table] = (through, f"{field.m2m_field_name()}__{tenancy.tenant_id_lookup}")
    return found


def tenant_tables(all_models: list[type[models.Model]]) -> list[str]:
    """Every table that holds tenant rows."""
    return list(tenant_table_models(all_models))
