from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import BusinessEvent, TenantExport, TenantIntegrationKey, TenantSettings
from core.tenancy import TenantModelSerializer, clean_custom_domain

BRANDING_FIELDS = [
    "slug",
    "name",
    "tagline",
    "primary_colour",
    "secondary_colour",
    "logo_url",
    "timezone",
    "opening_hour",
    "closing_hour",
]


class TenantBrandingSerializer(serializers.ModelSerializer):
    class Meta:
        model = TenantSettings
        fields = BRANDING_FIELDS
        read_only_fields = fields


class TenantSettingsSerializer(serializers.ModelSerializer):
    """The business's own settings, as its owner edits them."""

    # Declared, not generated: the generated unique check would compare the spelling
    # as typed, before it is normalised.
    custom_domain = serializers.CharField(
        max_length=253,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The business's own domain (e.g. bookings.example.com), pointed at the platform by DNS; "
        "empty to remove it.",
    )
    opening_hour = serializers.IntegerField(min_value=0, max_value=23, required=False)
    closing_hour = serializers.IntegerField(min_value=1, max_value=24, required=False)

    class Meta:
        model = TenantSettings
        fields = [*BRANDING_FIELDS, "custom_domain", "reply_to_email"]
        read_only_fields = ["slug"]
        extra_kwargs = {
            "reply_to_email": {"help_text": "Where clients' replies to the business's e-mails go; empty for none."}
        }

    def validate_custom_domain(self, value: str | None) -> str | None:
        try:
            domain = clean_custom_domain(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        others = TenantSettings.objects.exclude(pk=self.instance.pk if self.instance else None)
        if domain and others.filter(custom_domain=domain).exists():
            raise serializers.ValidationError("This domain is already in use.")
        return domain

    def validate(self, attrs: dict) -> dict:
        opening = attrs.get("opening_hour", getattr(self.instance, "opening_hour", 0))
        closing = attrs.get("closing_hour", getattr(self.instance, "closing_hour", 24))
        if opening >= closing:
            raise serializers.ValidationError({"closing_hour": ["The business must close after it opens."]})
        return attrs


class BusinessEventSerializer(TenantModelSerializer):
    performed_by = serializers.StringRelatedField()

    class Meta:
        model = BusinessEvent
        fields = ["id", "kind", "summary", "performed_by", "object_type", "object_id", "created_at"]
        read_only_fields = fields


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class StateConflictSerializer(ErrorSerializer):
    current_state = serializers.CharField(
        required=False, help_text="With code `state_conflict`: the state the row is in now."
    )


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField()
    database = serializers.CharField()


class IntegrationKeySerializer(serializers.Serializer):
    """A provider's key as the API shows it: masked, never whole."""

    provider = serializers.ChoiceField(choices=TenantIntegrationKey.Provider.choices, read_only=True)
    configured = serializers.BooleanField(read_only=True, help_text="The business has a key of its own.")
    masked_key = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="At most the last four characters (none for keys under 12), e.g. ••••abcd.",
    )
    uses_platform_key = serializers.BooleanField(
        read_only=True, help_text="No key of its own, so the platform's key is used for this provider."
    )
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class IntegrationKeyInputSerializer(serializers.Serializer):
    # Printable ASCII only: the key goes into an HTTP header, and a header value with
    # spaces or control characters is refused by the HTTP library in a message that
    # quotes it.
    api_key = serializers.CharField(
        write_only=True,
        min_length=8,
        max_length=500,
        validators=[
            RegexValidator(r"^[\x21-\x7e]+\Z", "Use the key as the provider shows it: no spaces or other characters.")
        ],
        help_text="The provider's API key. Never returned.",
    )


# The platform's own endpoints ------------------------------------------------------


class TenantCreateSerializer(serializers.Serializer):
    """A new business, as an operator asks for it (checked by core.lifecycle.onboarding)."""

    # Not trimmed: the slug is checked as given, as the command checks it.
    slug = serializers.CharField(
        max_length=63,
        trim_whitespace=False,
        help_text="Lower-case letters, digits and inner hyphens: the business's subdomain and X-Tenant-Slug.",
    )
    name = serializers.CharField(max_length=200, help_text="The business's name, as its clients see it.")
    owner_email = serializers.CharField(
        max_length=254, help_text="The owner's e-mail address: the invitation goes there."
    )
    domain = serializers.CharField(
        max_length=253,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The business's own domain (e.g. bookings.example.com); empty or left out for none.",
    )
    timezone = serializers.CharField(
        max_length=64, required=False, default=TenantSettings._meta.get_field("timezone").default
    )
    is_demo = serializers.BooleanField(required=False, default=False)


class TenantOwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", read_only=True)
    username = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True)


class TenantCreatedSerializer(serializers.Serializer):
    """The business made, its owner and the link the owner was e-mailed."""

    id = serializers.IntegerField(source="tenant.pk", read_only=True)
    slug = serializers.CharField(source="tenant.slug", read_only=True)
    name = serializers.CharField(source="tenant.name", read_only=True)
    custom_domain = serializers.CharField(source="tenant.custom_domain", read_only=True, allow_null=True)
    timezone = serializers.CharField(source="tenant.timezone", read_only=True)
    is_demo = serializers.BooleanField(source="tenant.is_demo", read_only=True)
    owner = TenantOwnerSerializer(read_only=True)
    invitation_url = serializers.CharField(
        read_only=True, help_text="The link e-mailed to the owner: it sets their password once, at this business."
    )
    invitation_expires_at = serializers.DateTimeField(read_only=True)


# A business's own archives ------------------------------------------------------


class TenantExportSerializer(TenantModelSerializer):
    """An archive of the business's data its owner asked for; fetched through ``download_url``."""

    download_url = serializers.SerializerMethodField()

    class Meta:
        model = TenantExport
        fields = ["id", "status", "created_at", "finished_at", "size", "rows", "expires_at", "error", "download_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, export: TenantExport) -> str | None:
        """Null until the archive is ready, and again once it has expired."""
        if not export.downloadable:
            return None
        url = reverse("tenantexport-download", kwargs={"pk": export.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ExportInProgressSerializer(ErrorSerializer):
    export_id = serializers.IntegerField(help_text="The export still pending or running.")
