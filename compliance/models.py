"""Health and safety records a small business keeps: checks, incidents, risk assessments,
equipment inspections, the accident book, RAMS and the Peace of Mind score."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from compliance.dates import add_months
from core.tenancy import TenantChildModel, TenantModel, tenant_upload_to

USER = "accounts.User"

# An item whose due date is this close (or closer) is "due soon".
DUE_SOON_DAYS = 30


class ComplianceCategory(TenantModel):
    """A group of checks (food hygiene, fire safety, COSHH...) and how much it matters."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="1 (minor) to 10 (critical): how much the category's items count in the score.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "compliance categories"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="compliance_category_unique_name"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=10), name="compliance_category_weight"),
        ]

    def __str__(self) -> str:
        return self.name


def derive_item_status(
    *, status: str, frequency: str, due_date: date, last_completed_on: date | None, today: date
) -> str:
    """The status an item's dates give it; "not applicable" is chosen by hand and kept."""
    Status = ComplianceItem.Status
    if status == Status.NOT_APPLICABLE:
        return Status.NOT_APPLICABLE
    if frequency == ComplianceItem.Frequency.ONCE and last_completed_on is not None:
        return Status.COMPLIANT
    if due_date < today:
        return Status.OVERDUE
    if due_date <= today + timedelta(days=DUE_SOON_DAYS):
        return Status.DUE_SOON
    return Status.COMPLIANT


class ComplianceItem(TenantModel):
    """One check the business must keep up to date (a certificate, a service, a review)."""

    class Frequency(models.TextChoices):
        ONCE = "once", "Once"
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUALLY = "annually", "Annually"

    class Status(models.TextChoices):
        COMPLIANT = "compliant", "Compliant"
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUALLY: 12}

    category = models.ForeignKey(ComplianceCategory, on_delete=models.PROTECT, related_name="items")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.ANNUALLY)
    due_date = models.DateField()
    last_completed_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.COMPLIANT,
        help_text="Derived from the dates on every save; only 'not applicable' is kept as set.",
    )
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    evidence_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["tenant", "due_date"], name="compliance_item_tenant_due"),
            models.Index(fields=["tenant", "status", "due_date"], name="compliance_item_tenant_state"),
            models.Index(fields=["category", "due_date"], name="compliance_item_category_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def derive_status(self, today: date) -> str:
        return derive_item_status(
            status=self.status,
            frequency=self.frequency,
            due_date=self.due_date,
            last_completed_on=self.last_completed_on,
            today=today,
        )

    def next_due_after(self, completed_on: date) -> date | None:
        """When a check done on ``completed_on`` is next due (None for a one-off)."""
        months = self.MONTHS.get(self.frequency)
        return add_months(completed_on, months) if months else None

    def save(self, *args, **kwargs) -> None:
        self.check_tenant_ownership()  # fills the tenant from the scope before it is read
        self.status = self.derive_status(self.tenant.today())
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "status"}
        super().save(*args, **kwargs)


class IncidentReport(TenantModel):
    """Something that went wrong or nearly did (a near miss, a spill, a safeguarding concern)."""

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        INVESTIGATING = "investigating", "Investigating"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    OPEN_STATUSES = (Status.OPEN, Status.INVESTIGATING)

    title = models.CharField(max_length=200)
    description = models.TextField()
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "occurred_at"], name="compliance_incident_tenant_at"),
            models.Index(fields=["tenant", "status", "severity"], name="compliance_incident_state"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class IncidentPhoto(TenantChildModel):
    """A photo taken as evidence of an incident."""

    tenant_path = "incident__tenant"

    incident = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=tenant_upload_to, max_length=255)
    caption = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["incident", "uploaded_at"], name="compliance_photo_incident")]

    def __str__(self) -> str:
        return self.caption or f"Photo of {self.incident}"


class SignOff(TenantChildModel):
    """A manager's or owner's sign-off of an incident; it closes the incident."""

    tenant_path = "incident__tenant"

    incident = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="sign_offs")
    signed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    role_at_signing = models.CharField(max_length=16)
    comment = models.TextField(blank=True)
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["incident", "signed_at"], name="compliance_signoff_incident")]

    def __str__(self) -> str:
        return f"{self.incident} signed off by {self.signed_by}"


class RiskAssessment(TenantModel):
    """A written assessment of the hazards of one area or activity."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=200)
    area = models.CharField(max_length=120)
    assessor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField()
    review_due = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review_due", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(review_due__gte=F("assessed_on")), name="compliance_risk_review_after")
        ]
        indexes = [
            models.Index(fields=["tenant", "review_due"], name="compliance_risk_tenant_review"),
            models.Index(fields=["tenant", "status"], name="compliance_risk_tenant_status"),
        ]

    def __str__(self) -> str:
        return self.title


class HazardFinding(TenantChildModel):
    """One hazard of a risk assessment, its risk (likelihood x severity) and its controls."""

    tenant_path = "assessment__tenant"

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="findings")
    hazard = models.CharField(max_length=200)
    who_at_risk = models.CharField(max_length=200)
    likelihood = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    severity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    risk_score = models.PositiveSmallIntegerField(editable=False, help_text="Likelihood x severity (1-25).")
    controls = models.TextField(blank=True)
    action_owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action_due = models.DateField(null=True, blank=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-risk_score", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, severity__gte=1, severity__lte=5),
                name="compliance_hazard_scales",
            )
        ]
        indexes = [models.Index(fields=["assessment", "risk_score"], name="compliance_hazard_assessment")]

    def __str__(self) -> str:
        return self.hazard

    def save(self, *args, **kwargs) -> None:
        self.risk_score = self.likelihood * self.severity
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "risk_score"}
        super().save(*args, **kwargs)


class Equipment(TenantModel):
    """Something inspected at intervals (a pool hoist, a fire extinguisher, a combi oven)."""

    name = models.CharField(max_length=120)
    serial_number = models.CharField(max_length=80, blank=True)
    location = models.CharField(max_length=120, blank=True)
    inspection_interval_days = models.PositiveIntegerField(
        default=365, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    last_inspected_on = models.DateField(null=True, blank=True)
    next_inspection_due = models.DateField(
        blank=True, help_text="Follows the last inspection; today when the equipment was never inspected."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "equipment"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "serial_number"],
                condition=~Q(serial_number=""),
                name="compliance_equipment_serial",
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "is_active", "next_inspection_due"], name="compliance_equipment_due"),
            models.Index(fields=["tenant", "name"], name="compliance_equipment_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.serial_number})" if self.serial_number else self.name

    def save(self, *args, **kwargs) -> None:
        if self.next_inspection_due is None:
            self.check_tenant_ownership()  # fills the tenant from the scope before it is read
            self.next_inspection_due = (
                self.last_inspected_on + timedelta(days=self.inspection_interval_days)
                if self.last_inspected_on
                else self.tenant.today()
            )
        super().save(*args, **kwargs)


class EquipmentInspection(TenantChildModel):
    """One inspection of a piece of equipment; it moves the equipment's next due date."""

    tenant_path = "equipment__tenant"

    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField()
    inspector = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["equipment", "inspected_on"], name="compliance_inspection_equip")]

    def __str__(self) -> str:
        return f"{self.equipment} inspected on {self.inspected_on}"


class AccidentReport(TenantModel):
    """An entry of the accident book: someone was hurt on the premises."""

    person_involved = models.CharField(max_length=120)
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=200)
    description = models.TextField()
    injury = models.CharField(max_length=200, blank=True)
    first_aid_given = models.BooleanField(default=False)
    hospital_visit = models.BooleanField(default=False)
    riddor_reportable = models.BooleanField(default=False, help_text="Must be reported to the HSE under RIDDOR.")
    reported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "occurred_at"], name="compliance_accident_tenant_at"),
            models.Index(fields=["tenant", "riddor_reportable"], name="compliance_accident_riddor"),
        ]

    def __str__(self) -> str:
        return f"{self.person_involved} at {self.location}"


class RAMSDocument(TenantModel):
    """A risk assessment and method statement for a task (a deep clean, a chemical delivery)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Superseded"

    title = models.CharField(max_length=200)
    activity = models.CharField(max_length=200)
    file = models.FileField(upload_to=tenant_upload_to, max_length=255, blank=True)
    version = models.CharField(max_length=20, default="1.0")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "-created_at", "-id"]
        verbose_name = "RAMS document"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "title", "version"], name="compliance_rams_unique_version")
        ]
        indexes = [models.Index(fields=["tenant", "status", "title"], name="compliance_rams_tenant_status")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class PeaceOfMindScore(TenantModel):
    """The business's single compliance score (0-100), recomputed from its records."""

    score = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    compliant_items = models.PositiveIntegerField(default=0, help_text="Applicable items in date.")
    total_items = models.PositiveIntegerField(default=0, help_text="Items that are not 'not applicable'.")
    overdue_items = models.PositiveIntegerField(default=0)
    open_critical_incidents = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "peace of mind score"
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="compliance_score_one_per_tenant"),
            models.CheckConstraint(condition=Q(score__lte=100), name="compliance_score_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.score}/100"


class ScoreAuditLog(TenantChildModel):
    """One change of the score: from what, to what, why and by whom."""

    tenant_path = "score__tenant"

    score = models.ForeignKey(PeaceOfMindScore, on_delete=models.CASCADE, related_name="audit_log")
    previous_score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty for the first score.")
    new_score = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=200)
    changed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["score", "created_at"], name="compliance_audit_score_at")]

    def __str__(self) -> str:
        return f"{self.previous_score} -> {self.new_score}: {self.reason}"
