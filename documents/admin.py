from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core.tenancy import TenantAdminMixin
from documents import services
from documents.models import Document, DocumentTag


@admin.register(DocumentTag)
class DocumentTagAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "colour")
    search_fields = ("name",)


class DocumentAdminForm(forms.ModelForm):
    """Keeps the upload rules of the API: a file, within the size limit."""

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if "file" in self.changed_data:
            try:
                services.document_check_file(file=file)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["file"]) from exc
        return file


@admin.register(Document)
class DocumentAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = DocumentAdminForm
    list_display = ("title", "category", "original_name", "size", "uploaded_by", "expires_on", "created_at")
    list_filter = ("category",)
    search_fields = ("title", "description", "original_name")
    list_select_related = ("uploaded_by",)
    readonly_fields = ("original_name", "size", "content_type", "created_at", "updated_at")
    filter_horizontal = ("tags",)

    def save_model(self, request, obj: Document, form, change: bool) -> None:
        if "file" in form.changed_data and form.cleaned_data.get("file"):
            services.document_describe_file(document=obj, file=form.cleaned_data["file"])
        if not change and obj.uploaded_by_id is None and request.user.tenant_id is not None:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
