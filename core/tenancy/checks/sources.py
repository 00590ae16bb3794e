"""System checks of the project's own source: rows are read past the fail-closed
managers only under the audited bypass.

``Model._base_manager`` is Django's manager without the tenant filter. Outside the
tenancy core and migration code (migrations, and modules that declare
``tenancy_migration_only = True``: their historical models have no tenant manager), a
use of it must sit inside ``with unscoped_all_tenants(reason):`` in the same function,
where the reason is written to the audit log; anywhere else it is a silent bypass.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings
from django.core import checks

from .registry import project_app_configs

_TENANCY_PACKAGE = Path(__file__).resolve().parents[1]
_BYPASS = "unscoped_all_tenants"


def _project_sources() -> list[Path]:
    found = []
    for config in project_app_configs():
        root = Path(config.path).resolve()
        for path in root.rglob("*.py"):
            parts = path.relative_to(root).parts
            if "migrations" in parts or "tests" in parts or _TENANCY_PACKAGE in path.parents:
                continue
            found.append(path)
    return sorted(found)


def _under_bypass(stack: list[ast.AST]) -> bool:
    for node in stack:
        if isinstance(node, ast.With):
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", "")) == _BYPASS:
                    return True
    return False


def _migration_only(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Assign)
        and any(getattr(target, "id", None) == "tenancy_migration_only" for target in node.targets)
        and getattr(node.value, "value", None) is True
        for node in tree.body
    )


def silent_bypasses(path: Path) -> list[int]:
    """The lines of ``path`` that use ``_base_manager`` outside the audited bypass."""
    found = []
    tree = ast.parse(path.read_text(), filename=str(path))
    if _migration_only(tree):
        return found

    def visit(node: ast.AST, stack: list[ast.AST]) -> None:
        if isinstance(node, ast.Attribute) and node.attr == "_base_manager" and not _under_bypass(stack):
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child, [*stack, node])

    visit(tree, [])
    return found


@checks.register(checks.Tags.models)
def check_silent_bypasses(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    base = Path(settings.BASE_DIR).resolve()
    return [
        checks.Error(
            f"{path.relative_to(base)}:{line} reads rows with _base_manager, past the tenant filter, "
            "outside the audited bypass.",
            hint="Use Model.objects in the tenant's scope, or wrap the read in unscoped_all_tenants(reason).",
            id="tenancy.E014",
        )
        for path in _project_sources()
        for line in silent_bypasses(path)
    ]
