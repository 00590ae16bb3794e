"""django-rls-tenants: each tenant table an ``RLSProtectedModel`` (the tenant column and
a policy of its own, the note too), served as a role bound by row-level security."""

from django.db import models
from django_rls_tenants import RLSProtectedModel


class Business(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)

    class Meta:
        db_table = "business"


class Service(RLSProtectedModel):
    name = models.CharField(max_length=100)
    minutes = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta(RLSProtectedModel.Meta):
        db_table = "service"


class Client(RLSProtectedModel):
    name = models.CharField(max_length=100)
    email = models.EmailField()

    class Meta(RLSProtectedModel.Meta):
        db_table = "client"


class Booking(RLSProtectedModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE)
    client = models.ForeignKey(Client, on_delete=models.CASCADE)
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=20)

    class Meta(RLSProtectedModel.Meta):
        db_table = "booking"
        indexes = [models.Index(fields=["tenant", "starts_at"], name="booking_tenant_starts")]


class Note(RLSProtectedModel):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE)
    body = models.TextField()

    class Meta(RLSProtectedModel.Meta):
        db_table = "booking_note"
