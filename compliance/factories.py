"""Factories of the compliance app. Roots take ``tenant``; children take their parent and
default their users to members of the parent's tenant.

Files are named, not written: ``IncidentPhotoFactory`` rows point at a path in the
tenant's folder without creating it (a download answers 404), so test runs leave no
files behind. Tests that need a real file upload one through the API.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.factories import UserFactory
from compliance.models import (
    AccidentReport,
    ComplianceCategory,
    ComplianceItem,
    Equipment,
    EquipmentInspection,
    HazardFinding,
    IncidentPhoto,
    IncidentReport,
    PeaceOfMindScore,
    RAMSDocument,
    RiskAssessment,
    ScoreAuditLog,
    SignOff,
)
from core.factories import TenantFactory
from core.tenancy import tenant_context


def _today():
    return timezone.localdate()


class ComplianceCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplianceCategory

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    weight = 5


class ComplianceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplianceItem

    tenant = factory.SubFactory(TenantFactory)
    category = factory.SubFactory(ComplianceCategoryFactory, tenant=factory.SelfAttribute("..tenant"))
    title = factory.Sequence(lambda n: f"Check {n}")
    frequency = ComplianceItem.Frequency.ANNUALLY
    due_date = factory.LazyFunction(lambda: _today() + timedelta(days=120))


class IncidentReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentReport

    tenant = factory.SubFactory(TenantFactory)
    reported_by = factory.SubFactory(UserFactory, tenant=factory.SelfAttribute("..tenant"))
    title = factory.Sequence(lambda n: f"Incident {n}")
    description = "Water on the floor by the entrance."
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    location = "Reception"
    severity = IncidentReport.Severity.MEDIUM


class IncidentPhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentPhoto

    class Params:
        # A real file in storage, named by tenant_upload_to like an upload.
        stored = factory.Trait(image=factory.django.FileField(filename="photo.png", data=b"\x89PNG\r\n\x1a\n photo"))

    incident = factory.SubFactory(IncidentReportFactory)
    image = factory.LazyAttributeSequence(
        lambda o, n: f"tenants/{o.incident.tenant.slug}/incidentphoto/factory{n:04d}_photo.jpg"
    )
    caption = "Where it happened"


class SignOffFactory(factory.django.DjangoModelFactory):
    """A sign-off row as stored (the service also closes the incident; this does not)."""

    class Meta:
        model = SignOff

    incident = factory.SubFactory(IncidentReportFactory)
    signed_by = factory.SubFactory(UserFactory, tenant=factory.SelfAttribute("..incident.tenant"))
    role_at_signing = factory.LazyAttribute(lambda o: o.signed_by.role)
    comment = "Reviewed with the team."


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAssessment

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Risk assessment {n}")
    area = "Front of house"
    assessor = factory.SubFactory(UserFactory, tenant=factory.SelfAttribute("..tenant"))
    assessed_on = factory.LazyFunction(lambda: _today() - timedelta(days=30))
    review_due = factory.LazyFunction(lambda: _today() + timedelta(days=335))
    status = RiskAssessment.Status.ACTIVE
    created_by = factory.SelfAttribute("assessor")


class HazardFindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HazardFinding

    assessment = factory.SubFactory(RiskAssessmentFactory)
    hazard = factory.Sequence(lambda n: f"Hazard {n}")
    who_at_risk = "Staff and visitors"
    likelihood = 2
    severity = 3
    controls = "Signage and a daily check."


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Equipment {n}")
    serial_number = factory.Sequence(lambda n: f"SN-{n:05d}")
    location = "Plant room"
    inspection_interval_days = 180


class EquipmentInspectionFactory(factory.django.DjangoModelFactory):
    """An inspection row as stored (the service also moves the equipment's dates)."""

    class Meta:
        model = EquipmentInspection

    equipment = factory.SubFactory(EquipmentFactory)
    inspected_on = factory.LazyFunction(_today)
    inspector = factory.SubFactory(UserFactory, tenant=factory.SelfAttribute("..equipment.tenant"))
    passed = True


class AccidentReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccidentReport

    tenant = factory.SubFactory(TenantFactory)
    person_involved = factory.Sequence(lambda n: f"Visitor {n}")
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    location = "Stairs"
    description = "Missed the bottom step."
    injury = "Twisted ankle"
    first_aid_given = True
    reported_by = factory.SubFactory(UserFactory, tenant=factory.SelfAttribute("..tenant"))


class RAMSDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RAMSDocument

    class Params:
        # A real file in storage, named by tenant_upload_to like an upload.
        stored = factory.Trait(file=factory.django.FileField(filename="method.pdf", data=b"%PDF-1.4 method statement"))

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Method statement {n}")
    activity = "Deep clean"
    version = "1.0"
    created_by = factory.SubFactory(UserFactory, tenant=factory.SelfAttribute("..tenant"))


class PeaceOfMindScoreFactory(factory.django.DjangoModelFactory):
    """The tenant's single score row: returns the existing one when the tenant has it."""

    class Meta:
        model = PeaceOfMindScore

    tenant = factory.SubFactory(TenantFactory)
    score = 80
    compliant_items = 4
    total_items = 5
    overdue_items = 1
    computed_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with tenant_context(kwargs["tenant"]):  # one score per business
            existing = model_class.objects.first()
        return existing or super()._create(model_class, *args, **kwargs)


class ScoreAuditLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoreAuditLog

    score = factory.SubFactory(PeaceOfMindScoreFactory)
    previous_score = 70
    new_score = 80
    reason = "Item completed: fire alarm service"
