from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.tenancy import TenantModelSerializer
from documents.models import Document, DocumentTag


class DocumentTagSerializer(TenantModelSerializer):
    document_count = serializers.SerializerMethodField()

    class Meta:
        model = DocumentTag
        fields = ["id", "name", "colour", "document_count"]

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("Give the tag a name.")
        return value

    def get_document_count(self, tag: DocumentTag) -> int:
        count = getattr(tag, "document_count", None)
        return tag.documents.count() if count is None else count


class DocumentSerializer(TenantModelSerializer):
    """A document. Uploads are multipart (``file`` plus the other fields); the file is
    fetched back through ``download_url``, never from a public media URL."""

    file = serializers.FileField(
        write_only=True, required=False, help_text="The file (multipart). Required when uploading."
    )
    tag_names = serializers.SlugRelatedField(source="tags", slug_field="name", many=True, read_only=True)
    uploaded_by_name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "description",
            "file",
            "original_name",
            "size",
            "content_type",
            "category",
            "tags",
            "tag_names",
            "expires_on",
            "uploaded_by",
            "uploaded_by_name",
            "download_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["original_name", "size", "content_type", "uploaded_by", "created_at", "updated_at"]
        extra_kwargs = {
            "title": {"required": False, "allow_blank": True, "help_text": "Defaults to the file's name."},
        }

    def get_uploaded_by_name(self, document: Document) -> str:
        user = document.uploaded_by
        if user is None:
            return ""
        return user.get_full_name() or user.username

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, document: Document) -> str:
        url = reverse("document-download", kwargs={"pk": document.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url
