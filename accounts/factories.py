from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import AuditLogEntry, PasswordToken, User
from core.factories import TenantFactory

TEST_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    username = factory.LazyAttributeSequence(lambda o, n: f"{o.tenant.slug if o.tenant else 'operator'}-user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    role = User.Role.OWNER
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def persist_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class OperatorFactory(UserFactory):
    tenant = None
    is_superuser = True
    is_staff = True
    role = User.Role.OWNER


class AuditLogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditLogEntry

    user = factory.SubFactory(UserFactory)
    action = "login"


class PasswordTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PasswordToken

    user = factory.SubFactory(UserFactory)
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
