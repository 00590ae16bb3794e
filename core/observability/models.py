"""The operators' record of cross-tenant attempts (a model of the ``core`` app)."""

from __future__ import annotations

from django.db import models

KIND_CHOICES = [
    ("mismatch", "Signed in to one business, naming another"),
    ("foreign_id", "Another business's id in the URL"),
    ("foreign_reference", "Another business's id in the request body"),
    ("foreign_ticket", "A socket ticket of another business or host"),
    ("stale_token", "A token whose business no longer holds"),
]


class SecurityEvent(models.Model):
    """One refused attempt to reach into another business, kept for operators: who (the
    user and their business), which business they reached for, from where, when. Ids
    and slugs are plain values, so the record outlives both businesses. Only the
    platform role reads it (row-level security with no policy, as PlatformAuditRecord)."""

    tenancy_global = "the platform's security record of attempts across businesses"

    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    # The refusal's own reason (tenant_mismatch, foreign_booking, socket_ticket_host, …).
    reason = models.CharField(max_length=60)
    # The business the attempt reached for; blank when only a token named it.
    business_id = models.BigIntegerField(null=True, blank=True)
    business_slug = models.CharField(max_length=63, blank=True)
    # The business of whoever made the attempt (blank for an operator or a stranger).
    user_business_id = models.BigIntegerField(null=True, blank=True)
    user_business_slug = models.CharField(max_length=63, blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    address = models.CharField(max_length=45, blank=True)
    route = models.CharField(max_length=200, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "cross-tenant attempt"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="core_security_created"),
            models.Index(fields=["user_business_slug", "business_slug", "created_at"], name="core_security_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.user_business_slug or '-'} → {self.business_slug or '-'}"
