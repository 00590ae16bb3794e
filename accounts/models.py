from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from core.tenancy.models import TenancyGuardMixin, TenantChildModel


class User(TenancyGuardMixin, AbstractUser):
    """A member of one business, or (tenant empty) a platform operator."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MANAGER = "manager", "Manager"
        STAFF = "staff", "Staff"

    # A root declaration, but with Django's own manager: authentication loads a user
    # before any tenant is known. Views still scope users through the tenancy core.
    tenant_path = "tenant"
    tenancy_unscoped_manager = "authentication loads users before a tenant is resolved"
    tenancy_globally_unique = ("username",)  # login names are platform-wide, prefixed by slug

    tenant = models.ForeignKey(
        "core.TenantSettings",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="users",
        help_text="Empty only for platform operators.",
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)

    objects = UserManager()

    class Meta:
        ordering = ["username"]
        indexes = [models.Index(fields=["tenant", "username"], name="accounts_user_tenant_name")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tenant__isnull=False) | models.Q(is_superuser=True),
                name="accounts_user_tenant_or_operator",
            )
        ]

    @property
    def is_operator(self) -> bool:
        return self.tenant_id is None and self.is_superuser

    @property
    def is_manager(self) -> bool:
        return self.is_operator or self.role in (self.Role.OWNER, self.Role.MANAGER)

    @property
    def is_owner(self) -> bool:
        return self.is_operator or self.role == self.Role.OWNER

    def save(self, *args, **kwargs) -> None:
        # Operators are platform superusers; a tenant member never is.
        if self.tenant_id is not None:
            self.is_superuser = False
        super().save(*args, **kwargs)


class PasswordToken(TenantChildModel):
    """A one-time token to set a password (staff onboarding, resets)."""

    tenant_path = "user__tenant"
    tenancy_globally_unique = ("token_hash",)  # a hash of 32 random bytes reveals nothing

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class AuditLogEntry(TenantChildModel):
    """A security-relevant action by a user (logins, role changes)."""

    tenant_path = "user__tenant"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="audit_entries")
    action = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit log entries"

    def __str__(self) -> str:
        return f"{self.user} {self.action}"
