"""django-scopes: the same tables, each default manager a ScopedManager that raises
outside ``scope(business=...)``."""

from django.db import models
from django_scopes import ScopedManager


class Business(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)

    class Meta:
        db_table = "business"


class Service(models.Model):
    tenant = models.ForeignKey(Business, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    minutes = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=8, decimal_places=2)

    objects = ScopedManager(business="tenant")

    class Meta:
        db_table = "service"


class Client(models.Model):
    tenant = models.ForeignKey(Business, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    email = models.EmailField()

    objects = ScopedManager(business="tenant")

    class Meta:
        db_table = "client"


class Booking(models.Model):
    tenant = models.ForeignKey(Business, on_delete=models.CASCADE)
    service = models.ForeignKey(Service, on_delete=models.CASCADE)
    client = models.ForeignKey(Client, on_delete=models.CASCADE)
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=20)

    objects = ScopedManager(business="tenant")

    class Meta:
        db_table = "booking"
        indexes = [models.Index(fields=["tenant", "starts_at"], name="booking_tenant_starts")]


class Note(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE)
    body = models.TextField()

    objects = ScopedManager(business="booking__tenant")

    class Meta:
        db_table = "booking_note"
