"""django-multitenant (Citus): every table carries the tenant column the library filters
on (``TenantMeta.tenant_field_name``), the note too; references between tenant tables are
``TenantForeignKey`` so joins carry the tenant."""

from django.db import models
from django_multitenant.fields import TenantForeignKey
from django_multitenant.models import TenantModel


class Business(TenantModel):
    class TenantMeta:
        tenant_field_name = "id"

    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)

    class Meta:
        db_table = "business"


class Service(TenantModel):
    class TenantMeta:
        tenant_field_name = "tenant_id"

    tenant = models.ForeignKey(Business, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    minutes = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        db_table = "service"
        # TenantForeignKey's composite keys refer to (tenant_id, id).
        unique_together = [("id", "tenant")]


class Client(TenantModel):
    class TenantMeta:
        tenant_field_name = "tenant_id"

    tenant = models.ForeignKey(Business, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    email = models.EmailField()

    class Meta:
        db_table = "client"
        # TenantForeignKey's composite keys refer to (tenant_id, id).
        unique_together = [("id", "tenant")]


class Booking(TenantModel):
    class TenantMeta:
        tenant_field_name = "tenant_id"

    tenant = models.ForeignKey(Business, on_delete=models.CASCADE)
    service = TenantForeignKey(Service, on_delete=models.CASCADE)
    client = TenantForeignKey(Client, on_delete=models.CASCADE)
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=20)

    class Meta:
        db_table = "booking"
        # TenantForeignKey's composite keys refer to (tenant_id, id).
        unique_together = [("id", "tenant")]
        indexes = [models.Index(fields=["tenant", "starts_at"], name="booking_tenant_starts")]


class Note(TenantModel):
    class TenantMeta:
        tenant_field_name = "tenant_id"

    tenant = models.ForeignKey(Business, on_delete=models.CASCADE)
    booking = TenantForeignKey(Booking, on_delete=models.CASCADE)
    body = models.TextField()

    class Meta:
        db_table = "booking_note"
