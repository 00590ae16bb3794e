import hashlib

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models

from core.tenancy import (
    TenancyGuardMixin,
    TenantChildModel,
    TenantManager,
    get_current_tenant,
    in_tenant_scope,
    tenant_field,
    unscoped_all_tenants,
)


class UserManager(TenantManager, DjangoUserManager):
    """Django's user manager, failing closed like every tenant model's: a query with no
    tenant in scope raises, except authentication's own lookups (``core.tenancy``) and
    the platform's work on operators below, each under the audited bypass."""

    # Migrations run on historical models, with no tenant in scope: they get a plain
    # manager (the retrofit's data migrations read every business's users).
    use_in_migrations = False

    def get_by_natural_key(self, username: str):
        # A username names one user of the business in scope; with none in scope, one
        # platform operator (createsuperuser, changepassword, loaddata). Never a user of
        # another business.
        tenant = get_current_tenant()
        if tenant is not None:
            return self.get(**{self.model.USERNAME_FIELD: username}, tenant=tenant)
        with unscoped_all_tenants("operator looked up by username"):
            return self.get(**{self.model.USERNAME_FIELD: username}, tenant=None)

    def _create_user(self, username, email, password, **extra_fields):
        # createsuperuser turns a ValidationError into a plain error message; a duplicate
        # would otherwise surface as an IntegrityError from the database.
        user = self._create_user_object(username, email, password, **extra_fields)
        scope = unscoped_all_tenants("platform operator created") if user.tenant_id is None else None
        with scope or in_tenant_scope(user.tenant):
            user.validate_constraints()
            user.save(using=self._db)
        return user


class User(TenancyGuardMixin, AbstractUser):
    """A member of one business, or (tenant empty) a platform operator."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MANAGER = "manager", "Manager"
        STAFF = "staff", "Staff"

    # A root declaration whose rows of no tenant are the platform operators. Its manager
    # fails closed; authentication reads users before a tenant is known through
    # core.tenancy's authentication lookups.
    tenant_path = "tenant"

    # Unique within a business (or among the platform operators), not platform-wide: a
    # login names its business by host or X-Tenant-Slug (core.tenancy.TenantModelBackend).
    username = models.CharField(
        "username",
        max_length=150,
        help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only. Unique within the business.",
        validators=[AbstractUser.username_validator],
    )
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tenant__isnull=False) | models.Q(is_superuser=True),
                name="accounts_user_tenant_or_operator",
                violation_error_message="Only platform operators (superusers) belong to no business.",
            ),
            models.UniqueConstraint(
                fields=["tenant", "username"],
                name="accounts_user_tenant_username",
                violation_error_message="A user with that username already exists in this business.",
            ),
            # Operators have no tenant, and NULLs never collide in the constraint above.
            models.UniqueConstraint(
                fields=["username"],
                condition=models.Q(tenant__isnull=True),
                name="accounts_user_operator_username",
                violation_error_message="A platform operator with that username already exists.",
            ),
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
    """A one-time token to set a password (staff onboarding, resets).

    Only the SHA-256 of the token is stored: the token itself travels in one e-mail, so
    a copy of the database sets no one's password."""

    class Purpose(models.TextChoices):
        INVITE = "invite", "Invitation"
        RESET = "reset", "Password reset"

    tenant_path = "user__tenant"
    tenancy_globally_unique = ("token_hash",)  # a hash of 32 random bytes reveals nothing
    # Links sent before an export must not set a password again after a restore (nor
    # clash with the original's, token hashes being unique everywhere).
    lifecycle_exported = False

    tenant = tenant_field(null=True)  # an operator's token has no business
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_tokens")
    purpose = models.CharField(max_length=8, choices=Purpose.choices, default=Purpose.RESET)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def hash_of(token: str) -> str:
        """What is stored of ``token``, and looked up when it comes back."""
        return hashlib.sha256(token.encode()).hexdigest()


class AuditLogEntry(TenantChildModel):
    """A security-relevant action by a user (logins, role changes)."""

    tenant_path = "user__tenant"

    tenant = tenant_field(null=True)  # an operator's actions belong to no business
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
