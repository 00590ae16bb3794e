from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.tenancy import TenantChildModel, TenantModel
from staff.models import WorkingHours


class Service(TenantModel):
    """Something a client can book: a haircut, a table, a yoga class, a session."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(5), MaxValueValidator(720)])
    price = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    capacity = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="More than 1 for group classes."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="bookings_service_unique_name")]
        indexes = [models.Index(fields=["tenant", "is_active", "name"], name="bookings_service_tenant_active")]

    def __str__(self) -> str:
        return self.name


class Staff(TenantModel):
    """A person clients can be booked with.

    Linked to the employee's ``staff.StaffProfile``, they are offered online only when
    the rota (or their usual hours) has them at work and they are not on approved leave;
    unlinked, whenever the business is open.
    """

    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    bio = models.TextField(blank=True)
    services = models.ManyToManyField(Service, blank=True, related_name="staff")
    staff_profile = models.ForeignKey(
        "staff.StaffProfile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookable_staff",
        help_text="The employee whose shifts, usual hours and leave decide when they can be booked.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "staff"
        constraints = [
            # One bookable person per employee. Conditional, so unlinked rows never clash.
            models.UniqueConstraint(
                fields=["tenant", "staff_profile"],
                condition=Q(staff_profile__isnull=False),
                name="bookings_staff_unique_profile",
            )
        ]
        indexes = [models.Index(fields=["tenant", "name"], name="bookings_staff_tenant_name")]

    def __str__(self) -> str:
        return self.name


Weekday = WorkingHours.Weekday  # one list of weekdays for the business's hours and its people's


class OpeningHours(TenantModel):
    """When the business takes bookings on one day of the week.

    A business with no rows opens every day from ``TenantSettings.opening_hour`` to
    ``closing_hour``; once it has set any day, a day without a row is closed.
    """

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, validators=[MaxValueValidator(6)])
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "id"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "weekday"], name="bookings_opening_unique_weekday"),
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="bookings_opening_closes_after"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Client(TenantModel):
    """A customer of the business."""

    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    notes = models.TextField(blank=True)
    marketing_consent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email"], condition=~Q(email=""), name="bookings_client_unique_email"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "name"], name="bookings_client_tenant_name"),
            models.Index(fields=["tenant", "created_at"], name="bookings_client_tenant_created"),
        ]

    def __str__(self) -> str:
        return self.name


class Booking(TenantModel):
    """A client's appointment with a staff member for a service."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CONFIRMED = "confirmed", "Confirmed"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    class Source(models.TextChoices):
        STAFF = "staff", "Entered by staff"
        ONLINE = "online", "Public booking page"

    ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED)

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="bookings")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONFIRMED)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.STAFF)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    credit = models.ForeignKey(
        "ClientCredit", null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="bookings_booking_ends_after_start"
            )
        ]
        indexes = [
            # The list's ordering, to the last column: a page is read in order, with no sort.
            models.Index(fields=["tenant", "starts_at", "id"], name="bookings_booking_tenant_start"),
            models.Index(fields=["tenant", "status", "starts_at"], name="bookings_booking_tenant_state"),
            models.Index(fields=["tenant", "created_at"], name="bookings_booking_tenant_made"),
            models.Index(fields=["staff", "starts_at"], name="bookings_booking_staff_start"),
        ]

    def __str__(self) -> str:
        return f"{self.client} - {self.service} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class ClassPackage(TenantChildModel):
    """A bundle of class credits sold for one service (e.g. 10 yoga classes)."""

    tenant_path = "service__tenant"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="packages")
    name = models.CharField(max_length=120)
    credits = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(500)])
    price = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    valid_days = models.PositiveSmallIntegerField(default=90, validators=[MinValueValidator(1)])
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="bookings_package_unique_name")]

    def __str__(self) -> str:
        return self.name


class ClientCredit(TenantChildModel):
    """Credits a client holds from a package, consumed one per class booked."""

    tenant_path = "client__tenant"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="credits")
    package = models.ForeignKey(ClassPackage, on_delete=models.PROTECT, related_name="client_credits")
    total = models.PositiveSmallIntegerField()
    remaining = models.PositiveSmallIntegerField()
    purchased_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["expires_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(remaining__lte=models.F("total")), name="bookings_credit_within_total")
        ]
        indexes = [models.Index(fields=["client", "expires_at"], name="bookings_credit_client_expiry")]

    def __str__(self) -> str:
        return f"{self.client}: {self.remaining}/{self.total} {self.package}"


class DisclaimerManager(models.Manager):
    def get_by_natural_key(self, version: str) -> "IntakeWellbeingDisclaimer":
        return self.get(version=version)


class IntakeWellbeingDisclaimer(models.Model):
    """The wellbeing disclaimer text clients accept before classes or therapy."""

    tenancy_global = "one reviewed disclaimer text is shared by every business"

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    is_current = models.BooleanField(default=False)
    published_at = models.DateTimeField(auto_now_add=True)

    objects = DisclaimerManager()

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    def natural_key(self) -> tuple[str]:
        # What a business's archive names it by: ids differ between databases.
        return (self.version,)


class IntakeProfile(TenantChildModel):
    """A client's intake form: emergency contact, health notes, disclaimer accepted."""

    tenant_path = "client__tenant"

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="intake_profile")
    date_of_birth = models.DateField(null=True, blank=True)
    emergency_contact_name = models.CharField(max_length=120, blank=True)
    emergency_contact_phone = models.CharField(max_length=32, blank=True)
    medical_notes = models.TextField(blank=True)
    disclaimer = models.ForeignKey(
        IntakeWellbeingDisclaimer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disclaimer_accepted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"Intake for {self.client}"
