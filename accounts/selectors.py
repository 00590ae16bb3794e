"""Reads of the accounts app. Every function takes the tenant explicitly."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from core.models import TenantSettings


def user_username_taken(*, tenant: TenantSettings | None, username: str, exclude_pk: int | None = None) -> bool:
    """Whether ``username`` (in any letter case) names a user of ``tenant`` already; with
    ``tenant`` None, a platform operator. Only that business's users are compared, so the
    answer never depends on the names another business uses."""
    users = User.objects.filter(tenant=tenant, username__iexact=username)
    if exclude_pk is not None:
        users = users.exclude(pk=exclude_pk)
    return users.exists()


def user_in_business(*, tenant: TenantSettings | None, username: str) -> User | None:
    """The user who signs in as ``username`` in ``tenant`` (an operator when None), if any."""
    return User.objects.filter(tenant=tenant, username=username).first()


def members_of(*, tenant: TenantSettings | None) -> QuerySet[User]:
    """The users of ``tenant`` (none without one): the one query for "this business's
    people", so that another business's user id is always an unknown id."""
    if tenant is None:
        return User.objects.none()
    return User.objects.filter(tenant=tenant)
