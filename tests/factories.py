import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from dissemination.enums import TargetGroup
from dissemination.models import Organisation, Person, Region
from mentorwijs.accounts.models import Invitation, User
from mentorwijs.accounts.services import user_set_roles

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a verified email. `roles=[...]` gives roles; `two_factor=True` activates TOTP."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        if create and extracted:
            user_set_roles(user=user, roles=extracted)

    @factory.post_generation
    def two_factor(user, create, extracted, **kwargs):
        if create and extracted:
            user.totp_secret = generate_totp_secret()
            TOTP.activate(user, user.totp_secret)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    roles = factory.LazyFunction(lambda: ["trainer"])
    invited_by = factory.SubFactory(UserFactory, roles=["staff"])


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    target_group = TargetGroup.EMPLOYERS
    region = factory.LazyFunction(lambda: Region.objects.get(name="Rivierenland"))
    city = "Tiel"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
