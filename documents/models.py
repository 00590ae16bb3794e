from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver

from core.models import hex_colour
from core.tenancy import TenantModel, delete_after_commit, tenant_upload_to


class DocumentTag(TenantModel):
    """A label the business files its documents under (e.g. "Allergens", "COSHH")."""

    name = models.CharField(max_length=60)
    colour = models.CharField(max_length=7, default="#6b7280", validators=[hex_colour])

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="documents_tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class Document(TenantModel):
    """A file the business keeps: a policy, a contract, a certificate, a menu, a form."""

    class Category(models.TextChoices):
        POLICY = "policy", "Policy"
        CONTRACT = "contract", "Contract"
        CERTIFICATE = "certificate", "Certificate"
        MENU = "menu", "Menu"
        FORM = "form", "Form"
        OTHER = "other", "Other"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    file = models.FileField(upload_to=tenant_upload_to, max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes.")
    content_type = models.CharField(max_length=100, blank=True)
    tags = models.ManyToManyField(DocumentTag, blank=True, related_name="documents")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.OTHER)
    expires_on = models.DateField(null=True, blank=True, help_text="When a certificate or contract runs out.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "created_at"], name="documents_doc_tenant_created"),
            models.Index(fields=["tenant", "category"], name="documents_doc_tenant_category"),
        ]

    def __str__(self) -> str:
        return self.title


@receiver(post_delete, sender=Document, dispatch_uid="documents_delete_file")
def _delete_stored_file(sender, instance: Document, **kwargs) -> None:
    """A deleted document takes its file with it, once the deletion is committed."""
    if instance.file and instance.file.name:
        delete_after_commit(instance.file.storage, instance.file.name)
