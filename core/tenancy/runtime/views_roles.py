"""Role permissions of earlier versions, until every app reads core.permissions."""

from __future__ import annotations

from rest_framework import permissions


class IsTenantManager(permissions.BasePermission):
    """Owners and managers of the tenant (and operators acting in it)."""

    message = "Only the business's owners and managers may do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_manager)


class IsTenantOwner(permissions.BasePermission):
    """The business's owners (and operators acting in it)."""

    message = "Only the business's owners may do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_owner)


class IsTenantManagerOrReadOnly(IsTenantManager):
    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or super().has_permission(request, view)
