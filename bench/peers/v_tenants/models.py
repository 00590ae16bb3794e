"""django-tenants: one schema per business holding these tables; no tenant column."""

from django.db import models


class Service(models.Model):
    name = models.CharField(max_length=100)
    minutes = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        db_table = "service"


class Client(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField()

    class Meta:
        db_table = "client"


class Booking(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE)
    client = models.ForeignKey(Client, on_delete=models.CASCADE)
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=20)

    class Meta:
        db_table = "booking"
        indexes = [models.Index(fields=["starts_at"], name="booking_starts")]


class Note(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE)
    body = models.TextField()

    class Meta:
        db_table = "booking_note"
