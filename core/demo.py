"""The businesses the platform is shown with, and how their demo data is (re)built."""

from __future__ import annotations

import importlib
import os
import random
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction

from accounts.models import User
from core.lifecycle.deletion import tenant_delete
from core.models import TenantSettings
from core.tenancy import tenant_context, unscoped_all_tenants


@dataclass(frozen=True)
class DemoBusiness:
    slug: str
    name: str
    kind: str  # which flavour of demo data the apps' seeders build
    tagline: str
    primary_colour: str
    secondary_colour: str
    opening_hour: int
    closing_hour: int
    is_demo: bool = True


DEMO_BUSINESSES = {
    b.slug: b
    for b in [
        DemoBusiness("salon-x", "Salon X", "salon", "Cut, colour and calm", "#7c3aed", "#f472b6", 9, 18),
        DemoBusiness(
            "restaurant-x", "Restaurant X", "restaurant", "Seasonal plates, kind prices", "#b91c1c", "#fbbf24", 12, 23
        ),
        DemoBusiness(
            "health-club-x", "Health Club X", "health_club", "Train, swim, recover", "#047857", "#34d399", 6, 22
        ),
        DemoBusiness(
            "mind-department",
            "Mind Department",
            "therapy",
            "Talking therapies in the North East",
            "#1d4ed8",
            "#93c5fd",
            8,
            20,
        ),
    ]
}
NBNE = DemoBusiness("nbne", "NBNE", "agency", "The platform's own business", "#111827", "#f59e0b", 9, 17, is_demo=False)

ROLES = (User.Role.OWNER, User.Role.MANAGER, User.Role.STAFF)


class DemoRefused(Exception):
    pass


def demo_password() -> str:
    if not settings.DEMO_PASSWORD:
        raise DemoRefused("Set DEMO_PASSWORD to the password the demo users should have.")
    return settings.DEMO_PASSWORD


def _seeders():
    """Each app may ship ``seed.py`` with ``seed_demo_data(*, tenant, kind, rng, users)``.

    They run in the order of ``INSTALLED_APPS``, except that a module naming other apps
    in ``SEED_AFTER`` runs once theirs have (bookings links its staff to the team).
    """
    modules = {}
    for config in apps.get_app_configs():
        try:
            modules[config.label] = importlib.import_module(f"{config.name}.seed")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.seed":
                raise
    done: set[str] = set()
    while len(done) < len(modules):
        label = next(
            (
                label
                for label, module in modules.items()
                if label not in done and set(getattr(module, "SEED_AFTER", ())) & modules.keys() <= done
            ),
            None,
        )
        if label is None:
            raise DemoRefused(f"The seeders of {', '.join(sorted(modules.keys() - done))} wait on each other.")
        done.add(label)
        yield modules[label].seed_demo_data


def _users(tenant: TenantSettings, password: str) -> dict[str, User]:
    users = {}
    for role in ROLES:
        user = User(
            tenant=tenant,
            username=f"{tenant.slug}-{role}",
            role=role,
            first_name=role.label,
            last_name=tenant.name,
            email=f"{role}@{tenant.slug}.example.com",
        )
        user.set_password(password)
        user.save()
        users[role] = user
    return users


def _create_tenant(business: DemoBusiness, *, pk: int | None = None, cache_generation: int = 0) -> TenantSettings:
    return TenantSettings.objects.create(
        id=pk,
        cache_generation=cache_generation,
        slug=business.slug,
        name=business.name,
        tagline=business.tagline,
        primary_colour=business.primary_colour,
        secondary_colour=business.secondary_colour,
        opening_hour=business.opening_hour,
        closing_hour=business.closing_hour,
        is_demo=business.is_demo,
        is_active=True,
    )


def seed_demo_tenant(slug: str) -> TenantSettings:
    """Create or reset one demo tenant in one transaction (a failure keeps the old data)."""
    business = DEMO_BUSINESSES.get(slug)
    existing = TenantSettings.objects.filter(slug=slug).first()
    if existing is not None and not existing.is_demo:
        raise DemoRefused(f"'{slug}' holds real data (not marked demo); it is never reset.")
    if business is None:
        raise DemoRefused(f"No demo business is called '{slug}'. Known: {', '.join(DEMO_BUSINESSES)}.")
    password = demo_password()
    _require_writable_media()
    with transaction.atomic():
        if existing is not None:
            # Deleted whole, as delete_tenant deletes a business (its files once this
            # transaction commits), and made again under the same id: a reset leaves
            # nothing of the day's changes, and links to the demo keep working.
            tenant_delete(tenant=existing, performed_by="seed_demo (demo reset)")
        tenant = (
            _create_tenant(business, pk=existing.pk, cache_generation=existing.cache_generation + 1)
            if existing is not None
            else _create_tenant(business)
        )
        with tenant_context(tenant):
            users = _users(tenant, password)
            rng = random.Random(slug)
            for seed in _seeders():
                seed(tenant=tenant, kind=business.kind, rng=rng, users=users)
    return tenant


def _require_writable_media() -> None:
    """Refuse before anything changes when the demo's files could not be stored where the
    web process reads them. On a deployment (DEBUG off) a local MEDIA_ROOT must already
    exist: a missing folder means the volume is not mounted in this process (a separate
    cron service, say), and files written there would vanish with its container."""
    storage = default_storage
    if not isinstance(storage, FileSystemStorage):
        return  # S3: every process reaches the same bucket
    root = Path(storage.location)
    if not root.exists() and settings.DEBUG:
        root.mkdir(parents=True, exist_ok=True)
    if not root.is_dir() or not os.access(root, os.W_OK):
        raise DemoRefused(
            f"MEDIA_ROOT {root} is not a writable folder here, so the demo's files cannot be stored. "
            "Run the reset where the media volume is mounted (on Railway, the web service), or keep "
            "files in S3 (AWS_STORAGE_BUCKET_NAME) so that every service reaches them."
        )


OPERATOR_USERNAME = "platform-admin"


def ensure_platform_tenant() -> tuple[TenantSettings, bool]:
    """Create the real NBNE tenant, its owner and a platform operator once; never reset them."""
    tenant = TenantSettings.objects.filter(slug=NBNE.slug).first()
    if tenant is not None:
        return tenant, False
    password = demo_password()
    with transaction.atomic():
        tenant = _create_tenant(NBNE)
        with tenant_context(tenant):
            owner = User(tenant=tenant, username="nbne-owner", role=User.Role.OWNER, email="owner@nbne.example.com")
            owner.set_password(password)
            owner.save()
        with unscoped_all_tenants("seed_demo creates the platform operator"):
            if not User.objects.filter(username=OPERATOR_USERNAME).exists():
                User.objects.create_superuser(OPERATOR_USERNAME, "operator@nbne.example.com", password)
    return tenant, True
