from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.tenancy import TenantModel


class Recommendation(TenantModel):
    """A suggestion made to a business from its own booking figures."""

    class Kind(models.TextChoices):
        FILL_QUIET_SLOTS = "fill_quiet_slots", "Fill quiet slots"
        REDUCE_NO_SHOWS = "reduce_no_shows", "Reduce no-shows"
        REDUCE_CANCELLATIONS = "reduce_cancellations", "Reduce cancellations"
        WIN_BACK_CLIENTS = "win_back_clients", "Win back clients"
        PROMOTE_TOP_SERVICE = "promote_top_service", "Promote the top service"
        REVIEW_PRICING = "review_pricing", "Review pricing"

    class Status(models.TextChoices):
        NEW = "new", "New"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"
        DONE = "done", "Done"

    class Priority(models.IntegerChoices):
        HIGH = 1, "High"
        MEDIUM = 2, "Medium"
        LOW = 3, "Low"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField()
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices,
        default=Priority.MEDIUM,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    metric = models.JSONField(default=dict, blank=True, help_text="The figures behind the recommendation.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    generated_at = models.DateTimeField(default=timezone.now)
    valid_until = models.DateField()

    class Meta:
        ordering = ["priority", "-generated_at", "id"]
        indexes = [
            models.Index(fields=["tenant", "status", "generated_at"], name="analytics_rec_tenant_state"),
        ]

    def __str__(self) -> str:
        return self.title
