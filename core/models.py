from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from core.tenancy import (
    TenantModel,
    TenantSettingsQuerySet,
    clean_custom_domain,
    forget_resolution,
    normalise_custom_domain,
    tenant_upload_to,
    validate_tenant_slug,
)
from core.timezones import validate_time_zone, zone_named

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1a2b3c.")


class TenantSettings(models.Model):
    """One business on the platform, with its public branding."""

    tenancy_is_tenant_table = True

    slug = models.SlugField(
        max_length=63,
        unique=True,
        validators=[validate_tenant_slug],
        help_text="Lower-case letters, digits and hyphens: the business's subdomain and X-Tenant-Slug.",
    )
    name = models.CharField(max_length=200)
    custom_domain = models.CharField(max_length=253, blank=True, null=True, unique=True)
    tagline = models.CharField(max_length=300, blank=True)
    primary_colour = models.CharField(max_length=7, default="#1f2937", validators=[hex_colour])
    secondary_colour = models.CharField(max_length=7, default="#f59e0b", validators=[hex_colour])
    logo_url = models.URLField(blank=True)
    # Where clients' answers to the business's e-mails go (core.mail); the platform's
    # own sending address stays the From, so the business needs no mail server.
    reply_to_email = models.EmailField(blank=True)
    timezone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    opening_hour = models.PositiveSmallIntegerField(default=9)
    closing_hour = models.PositiveSmallIntegerField(default=17)
    is_demo = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The generation of the business's cached figures (core.tenancy.tenant_cache_invalidate): bumped in the
    # transaction of every write that makes them stale, so it commits with the write and
    # never goes backwards, whatever happens to the cache server.
    cache_generation = models.BigIntegerField(default=0, db_default=0, editable=False)
    # The business's own limits (core.tenancy.runtime.governance), set by operators only;
    # empty: the platform's TENANT_MAX_CONCURRENT_REQUESTS / TENANT_STATEMENT_TIMEOUT_MS.
    max_concurrent_requests = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Requests of this business in progress at once, across the web processes (0: no cap). "
        "Empty: the platform's default.",
    )
    statement_timeout_ms = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Milliseconds one database statement of this business's requests may take (0: no limit). "
        "Empty: the platform's default.",
    )

    objects = TenantSettingsQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "tenant"
        verbose_name_plural = "tenants"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Stored in the one spelling resolution looks up; a malformed domain is refused.
        self.custom_domain = normalise_custom_domain(self.custom_domain)
        # Forms run the field's validators; commands, seeders and factories save directly.
        # Checked for a new or changed slug, so a row saved before the rule still saves.
        if self.slug != getattr(self, "_stored_slug", None):
            validate_tenant_slug(self.slug)
        this = type(self).objects.filter(pk=self.pk)
        if self.pk is not None:
            forget_resolution(this)  # the slug and domain it had
        super().save(*args, **kwargs)
        self._stored_slug = self.slug
        forget_resolution(this)

    def delete(self, *args, **kwargs):
        forget_resolution(type(self).objects.filter(pk=self.pk))
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        # The slug as stored, so save() checks only a new or changed one.
        instance = super().from_db(db, field_names, values)
        instance._stored_slug = instance.__dict__.get("slug")
        return instance

    def clean(self) -> None:
        try:
            self.custom_domain = clean_custom_domain(self.custom_domain)
        except ValidationError as exc:
            raise ValidationError({"custom_domain": exc.error_list}) from exc

    @property
    def zone(self) -> ZoneInfo:
        """The business's time zone: the one way code turns the tenant into a ZoneInfo, so
        a bad name stored before names were validated falls back instead of failing."""
        return zone_named(self.timezone, owner=f"tenant {self.slug}")

    def today(self) -> date:
        """Today's date where the business is: a check due "today", tomorrow's reminders
        and the dashboards' days are the business's calendar days, not the server's."""
        return timezone.localdate(timezone=self.zone)

    def local(self, moment: datetime) -> datetime:
        """``moment`` on the business's own clock."""
        return timezone.localtime(moment, self.zone)


class BusinessEvent(TenantModel):
    """Something that happened in a business, shown in its activity feed."""

    class Kind(models.TextChoices):
        BOOKING_CREATED = "booking.created", "Booking made"
        BOOKING_CANCELLED = "booking.cancelled", "Booking cancelled"
        BOOKING_REQUESTED = "booking.requested", "Booking requested online"
        CLIENT_CREATED = "client.created", "Client added"
        CREDIT_CONSUMED = "credit.consumed", "Class credit used"
        STAFF_CREATED = "staff.created", "Staff member added"
        LEAVE_REQUESTED = "leave.requested", "Leave requested"
        LEAVE_APPROVED = "leave.approved", "Leave approved"
        LEAVE_REJECTED = "leave.rejected", "Leave rejected"
        CHANNEL_CREATED = "channel.created", "Channel created"
        LEAD_CREATED = "lead.created", "Lead added"
        LEAD_CONVERTED = "lead.converted", "Lead converted to client"
        DOCUMENT_UPLOADED = "document.uploaded", "Document uploaded"
        INCIDENT_REPORTED = "incident.reported", "Incident reported"
        INCIDENT_SIGNED_OFF = "incident.signed_off", "Incident signed off"
        ACCIDENT_REPORTED = "accident.reported", "Accident reported"
        INSPECTION_RECORDED = "inspection.recorded", "Equipment inspected"
        RECOMMENDATIONS_GENERATED = "recommendations.generated", "Recommendations generated"
        PAYMENT_COMPLETED = "payment.completed", "Payment completed"
        PAYMENT_FAILED = "payment.failed", "Payment failed"
        PAYMENT_REFUNDED = "payment.refunded", "Payment refunded"

    kind = models.CharField(max_length=50, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    performed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "created_at"], name="core_event_tenant_created")]

    def __str__(self) -> str:
        return self.summary


class TenantIntegrationKey(TenantModel):
    """A business's own API key for an outside service, encrypted at rest and bound to
    its tenant and provider (core.integrations.secrets); never shown whole."""

    class Provider(models.TextChoices):
        ELEVENLABS = "elevenlabs", "ElevenLabs"
        SMARTFLO = "smartflo", "Smartflo"
        OPENAI = "openai", "OpenAI"

    provider = models.CharField(max_length=20, choices=Provider.choices)
    encrypted_key = models.TextField()
    # Empty for keys too short to show any of them in the mask.
    last_four = models.CharField(max_length=4, blank=True)
    updated_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "provider"], name="core_integrationkey_tenant_provider")
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} key"

    def lifecycle_rebind(self, *, old_tenant_id: int) -> None:
        """Bind the key to the business it is restored into under another id
        (core.lifecycle.restore): the ciphertext names its tenant."""
        from core.integrations.secrets import decrypt_secret, encrypt_secret

        plaintext = decrypt_secret(self.encrypted_key, tenant_id=old_tenant_id, provider=self.provider)
        self.encrypted_key = encrypt_secret(plaintext, tenant_id=self.tenant_id, provider=self.provider)


class SentEmail(TenantModel):
    """An e-mail the business sends once per event (core.mail): ``key`` names the event
    (``booking:12:confirmed``), and a row claims it before the message goes out."""

    key = models.CharField(max_length=200)
    recipient = models.CharField(max_length=1000)
    subject = models.CharField(max_length=300)
    claimed_at = models.DateTimeField(auto_now_add=True)
    # Empty while the message is being handed to the mail server, or if the worker died
    # doing so: the claim stays, so a retry never sends it twice.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="core_sentemail_tenant_key")]

    def __str__(self) -> str:
        return self.key


class TenantExport(TenantModel):
    """A business's whole archive (``core.lifecycle.export``), asked for by an owner and
    written by a background job (``core.lifecycle.jobs``); downloadable until it expires."""

    # An archive must not hold the business's earlier archives: each would carry the
    # ones before it, and a restore would bring back rows whose files have expired.
    # (core.lifecycle.tables reads this; deleting the business removes them all the same.)
    lifecycle_exported = False

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    archive = models.FileField(upload_to=tenant_upload_to, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bytes of the archive.")
    rows = models.PositiveBigIntegerField(null=True, blank=True, help_text="Rows in the archive's tables.")
    # What went wrong, in a line for the owner and the admin; the traceback is in the log.
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "created_at"], name="core_export_tenant_created")]
        constraints = [
            # One export at a time per business, also between two requests racing.
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(status__in=["pending", "running"]),
                name="core_export_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.status})"

    @property
    def downloadable(self) -> bool:
        return (
            self.status == self.Status.READY
            and bool(self.archive)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )


class PlatformAuditRecord(models.Model):
    """Something the platform did to a business as a whole (created, exported, imported,
    deleted), kept after the business is gone: hence its id and slug as plain values,
    not a foreign key. Only the platform role reads it (no policy lets another role)."""

    tenancy_global = "the platform's record of whole businesses, kept after a business is deleted"

    class Action(models.TextChoices):
        CREATED = "tenant.created", "Business created"
        EXPORTED = "tenant.exported", "Business exported"
        IMPORTED = "tenant.imported", "Business imported"
        DELETED = "tenant.deleted", "Business deleted"

    action = models.CharField(max_length=30, choices=Action.choices)
    # Not tenant_id: no column of that name is outside the tenant tables, whose policies
    # read it; these name a business that may no longer exist.
    business_id = models.BigIntegerField()
    business_slug = models.CharField(max_length=63)
    business_name = models.CharField(max_length=200, blank=True)
    # An operator's username, or "command <OS user>@<host>" for a management command.
    performed_by = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["business_slug", "created_at"], name="core_platformaudit_slug")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.business_slug}"


class TenantUsage(models.Model):
    """What one business used on one day (UTC), for operators: its rows and stored file
    bytes as counted at the day's end, and its requests of the day (core.usage). A
    platform record, like the audit: the business by plain id and slug."""

    tenancy_global = "the platform's daily usage figures of each business, read by operators only"

    business_id = models.BigIntegerField()
    business_slug = models.CharField(max_length=63)
    day = models.DateField()
    rows = models.PositiveBigIntegerField(default=0, help_text="Rows of the business in every tenant table.")
    file_bytes = models.PositiveBigIntegerField(default=0, help_text="Bytes of the business's stored files.")
    requests = models.PositiveBigIntegerField(default=0, help_text="HTTP requests of the business that day.")
    measured_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "business_slug"]
        verbose_name_plural = "tenant usage"
        constraints = [models.UniqueConstraint(fields=["business_id", "day"], name="core_tenantusage_business_day")]
        indexes = [models.Index(fields=["day"], name="core_tenantusage_day")]

    def __str__(self) -> str:
        return f"{self.business_slug} on {self.day}"


from core.observability.models import SecurityEvent  # noqa: E402, F401  (a model of this app)
