"""The sales pipeline: leads, from first contact to a won client or a lost deal."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from core.tenancy import TenantModel


class Lead(TenantModel):
    """A prospective client or deal, moved through the pipeline's stages."""

    class Source(models.TextChoices):
        WALK_IN = "walk_in", "Walk-in"
        WEBSITE = "website", "Website"
        REFERRAL = "referral", "Referral"
        SOCIAL = "social", "Social media"
        PHONE = "phone", "Phone"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        QUALIFIED = "qualified", "Qualified"
        PROPOSAL = "proposal", "Proposal"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    OPEN_STATUSES = (Status.NEW, Status.CONTACTED, Status.QUALIFIED, Status.PROPOSAL)

    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    company = models.CharField(max_length=120, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.OTHER)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    value = models.DecimalField(
        max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)], help_text="Expected value."
    )
    notes = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_follow_up = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    converted_client = models.ForeignKey(
        "bookings.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    lost_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "status", "created_at"], name="crm_lead_tenant_status"),
            models.Index(fields=["tenant", "created_at"], name="crm_lead_tenant_created"),
            models.Index(fields=["tenant", "next_follow_up"], name="crm_lead_tenant_follow_up"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})" if self.company else self.name

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
