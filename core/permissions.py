"""Who may do what: one vocabulary of roles, and one declarative table per view.

A view states, once, which roles each of its actions or methods needs::

    permission_classes = [RolePermission]
    required_roles = MANAGERS_WRITE                      # members read, managers write
    required_roles = {**MANAGERS_WRITE, "clock_in": MEMBERS}

The table is read action first (a ViewSet's ``action``: ``"approve"``, ``"list"``),
then HTTP method, then ``"*"``; a view without a table lets every member in. Platform
operators acting in a business hold every role. Signing in is a matter of the view's
tenancy access (``core.tenancy.Access``), decided before permissions.
"""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import permissions

from accounts.models import User

OWNERS = frozenset({User.Role.OWNER})
MANAGERS = frozenset({User.Role.OWNER, User.Role.MANAGER})
MEMBERS = frozenset(User.Role)

RoleTable = Mapping[str, frozenset]

MEMBERS_ONLY: RoleTable = {"*": MEMBERS}
MANAGERS_ONLY: RoleTable = {"*": MANAGERS}
OWNERS_ONLY: RoleTable = {"*": OWNERS}
MANAGERS_WRITE: RoleTable = {**{method: MEMBERS for method in permissions.SAFE_METHODS}, "*": MANAGERS}

# What a refused caller is told, by the least role that would have been let in.
REFUSALS = {
    OWNERS: "Only the business's owners may do this.",
    MANAGERS: "Only the business's owners and managers may do this.",
}


def roles_required(view, method: str) -> frozenset:
    """The roles ``view`` asks of a call by ``method``, from its ``required_roles``."""
    table: RoleTable = getattr(view, "required_roles", MEMBERS_ONLY)
    action = getattr(view, "action", None)
    if action in table:
        return table[action]
    return table.get(method, table.get("*", MEMBERS))


def has_role(user, roles: frozenset) -> bool:
    """Whether ``user`` (signed in) holds one of ``roles`` in its business."""
    return bool(user and user.is_authenticated and (user.is_operator or user.role in roles))


class RolePermission(permissions.BasePermission):
    """Lets a call through when the user holds a role the view's table asks for."""

    message = REFUSALS[MANAGERS]

    def has_permission(self, request, view) -> bool:
        roles = roles_required(view, request.method)
        if has_role(request.user, roles):
            return True
        self.message = REFUSALS.get(roles, self.message)
        return False


class PlatformOperatorsOnly(permissions.BasePermission):
    """Lets platform operators through (``User.is_operator``: a superuser of no business),
    for the platform's own endpoints. Anyone else signed in is refused (403), a business's
    owner too; an anonymous caller is asked to sign in (401)."""

    message = "Only platform operators may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_operator)
