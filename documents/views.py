from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.decorators import action
from rest_framework.request import Request

from core.parsers import UPLOAD_PARSERS
from core.permissions import MANAGERS, MANAGERS_WRITE, RolePermission, has_role
from core.tenancy import DOWNLOAD_RESPONSES, TenantModelViewSet, file_response
from documents import serializers, services
from documents.filters import DocumentFilter
from documents.models import Document, DocumentTag


class IsUploaderOrManager(permissions.BasePermission):
    """Every member reads and uploads; only the uploader or a manager changes or deletes."""

    message = "Only the person who uploaded this document, or a manager, may change it."

    def has_object_permission(self, request, view, obj: Document) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        return has_role(user, MANAGERS) or (obj.uploaded_by_id is not None and obj.uploaded_by_id == user.pk)


class DocumentTagViewSet(TenantModelViewSet):
    """The business's document tags; managers edit, everyone reads."""

    queryset = DocumentTag.objects.annotate(document_count=Count("documents")).order_by("name", "id")
    serializer_class = serializers.DocumentTagSerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_WRITE
    filterset_fields = ["colour"]
    search_fields = ["name"]
    ordering_fields = ["name", "document_count"]


class DocumentViewSet(TenantModelViewSet):
    """Policies, contracts, certificates, menus and forms. Upload as multipart."""

    queryset = Document.objects.select_related("uploaded_by").prefetch_related("tags")
    serializer_class = serializers.DocumentSerializer
    parser_classes = UPLOAD_PARSERS
    permission_classes = [RolePermission, IsUploaderOrManager]
    filterset_class = DocumentFilter
    search_fields = ["title", "description", "original_name"]
    ordering_fields = ["title", "category", "size", "expires_on", "created_at", "updated_at"]

    def perform_create(self, serializer: serializers.DocumentSerializer) -> None:
        serializer.instance = services.document_upload(
            tenant=self.request.tenant, uploaded_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.DocumentSerializer) -> None:
        serializer.instance = services.document_update(document=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance: Document) -> None:
        services.document_delete(document=instance)

    @extend_schema(responses=DOWNLOAD_RESPONSES)
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None):
        """The document's file, as an attachment with its original name."""
        document = self.get_object()
        return file_response(document.file, download_name=document.original_name or None)
