"""django-tenants' public schema: the businesses and their domains."""

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Business(TenantMixin):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    # Schemas are made in bulk by the build (bench/peers/build.py), as the library's
    # base-schema cloning does, not one ``migrate`` per save.
    auto_create_schema = False

    class Meta:
        db_table = "business"


class Domain(DomainMixin):
    class Meta:
        db_table = "domain"
