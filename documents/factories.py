import factory

from accounts.factories import UserFactory
from core.factories import TenantFactory
from documents.models import Document, DocumentTag

FACTORY_FILE = b"A small test document.\n"


class DocumentTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentTag

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Tag {n}")
    colour = "#2563eb"


class DocumentFactory(factory.django.DjangoModelFactory):
    """A small text document; tags are left empty (add them with ``doc.tags.add``)."""

    class Meta:
        model = Document

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    file = factory.django.FileField(data=FACTORY_FILE, filename="x.txt")
    original_name = "x.txt"
    size = len(FACTORY_FILE)
    content_type = "text/plain"
    uploaded_by = factory.SubFactory(UserFactory, tenant=factory.SelfAttribute("..tenant"))
    category = Document.Category.POLICY
