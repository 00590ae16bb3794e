import factory

from accounts.factories import UserFactory
from comms.models import Channel, ChannelMember, Message, MessageAttachment
from core.factories import TenantFactory


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"channel-{n}")
    topic = "Day-to-day running of the business"
    created_by = factory.SubFactory(UserFactory, tenant=factory.SelfAttribute("..tenant"))


class ChannelMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelMember

    channel = factory.SubFactory(ChannelFactory)
    user = factory.SubFactory(UserFactory, tenant=factory.SelfAttribute("..channel.tenant"))
    is_admin = False


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    channel = factory.SubFactory(ChannelFactory)
    author = factory.SubFactory(UserFactory, tenant=factory.SelfAttribute("..channel.tenant"))
    body = factory.Sequence(lambda n: f"Message number {n}: the delivery comes at ten.")


class MessageAttachmentFactory(factory.django.DjangoModelFactory):
    """By default the row only names its file (nothing is written to storage, so test
    worlds leave no files behind); ``stored=True`` writes a real file."""

    class Meta:
        model = MessageAttachment

    class Params:
        stored = factory.Trait(file=factory.django.FileField(filename="rota.txt", data=b"Mon: Sam\nTue: Alex\n"))

    message = factory.SubFactory(MessageFactory)
    original_name = "rota.txt"
    file = factory.LazyAttribute(
        lambda o: f"tenants/{o.message.channel.tenant.slug}/messageattachment/00000000_{o.original_name}"
    )
    size = 19
    content_type = "text/plain"
