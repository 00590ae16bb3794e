"""System check of the background jobs: every task of the project declares whether it
works for one tenant or for the platform (tenancy.E016), as views and models do."""

from __future__ import annotations

import importlib
import importlib.util

from celery import current_app
from django.core import checks

from ..runtime.tasks import PlatformTask, TenantTask
from .registry import project_app_configs


def project_tasks() -> list:
    """Every Celery task defined in the project's own apps (their ``tasks`` modules).

    The modules are imported here rather than through Celery's loader, whose Django
    fixup runs the system checks as it imports (and would call this again)."""
    packages = tuple(f"{config.name}." for config in project_app_configs())
    for package in packages:
        if importlib.util.find_spec(f"{package}tasks") is not None:
            importlib.import_module(f"{package}tasks")
    return [task for name, task in sorted(current_app.tasks.items()) if f"{task.__module__}.".startswith(packages)]


@checks.register(checks.Tags.models)
def check_task_declarations(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"Task {task.name} declares neither a tenant nor the platform.",
            hint="Declare it with core.tenancy.tenant_task, or platform_task(reason=...).",
            obj=task.name,
            id="tenancy.E016",
        )
        for task in project_tasks()
        if not isinstance(task, TenantTask | PlatformTask)
    ]
