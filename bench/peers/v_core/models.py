"""This project's tenancy core: the same four tables on its model bases."""

from django.db import models

from core.tenancy import TenantChildModel, TenantModel


class Business(models.Model):
    """The tenant (``TENANCY_TENANT_MODEL``): what the core's resolution reads of it."""

    tenancy_is_tenant_table = True

    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    custom_domain = models.CharField(max_length=255, null=True, blank=True, unique=True)
    is_active = models.BooleanField(default=True, db_default=True)
    cache_generation = models.PositiveBigIntegerField(default=0, db_default=0)

    class Meta:
        db_table = "business"


class Service(TenantModel):
    name = models.CharField(max_length=100)
    minutes = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        db_table = "service"


class Client(TenantModel):
    name = models.CharField(max_length=100)
    email = models.EmailField()

    class Meta:
        db_table = "client"


class Booking(TenantModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE)
    client = models.ForeignKey(Client, on_delete=models.CASCADE)
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=20)

    class Meta:
        db_table = "booking"
        indexes = [models.Index(fields=["tenant", "starts_at"], name="booking_tenant_starts")]


class Note(TenantChildModel):
    tenant_path = "booking__tenant"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE)
    body = models.TextField()

    class Meta:
        db_table = "booking_note"
