from datetime import datetime, time, timedelta

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from dissemination.enums import TargetGroup
from dissemination.models import Organisation, Person, Region, first_name_of
from mentorwijs.accounts.models import Invitation, User
from mentorwijs.accounts.services import user_set_roles

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a verified email. `roles=[...]` gives roles. Every role (and a superuser) must use
    two-factor authentication, so such a user gets TOTP by default (the secret in `user.totp_secret`);
    `two_factor=False` leaves it out (a user still to set it up), `two_factor=True` gives it to a
    user without a role too."""

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
        user.totp_secret = None
        if create and extracted is None:  # the default: what the user's roles require
            extracted = user.requires_two_factor
            user.__dict__.pop("held_roles", None)  # read afresh later, as before (tests change roles and refresh)
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


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.Location"

    name = factory.Sequence(lambda n: f"Zaal {n}")
    address = "Stationsstraat 1"
    city = "Tiel"
    region = factory.LazyFunction(lambda: Region.objects.get(name="Rivierenland"))


class TrainingFactory(factory.django.DjangoModelFactory):
    """A run; `meetings=5` (default 0) adds weekly meetings from `first_meeting` (default: in 14 days, 18:00)."""

    class Meta:
        model = "trainings.Training"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Mentorwijs Tiel {n}")
    region = factory.LazyFunction(lambda: Region.objects.get(name="Rivierenland"))
    status = "open"
    capacity = 15

    @factory.post_generation
    def meetings(training, create, extracted, first_meeting=None, location=None, **kwargs):
        if not (create and extracted):
            return
        if first_meeting is None:
            day = timezone.localdate() + timedelta(days=14)
            first_meeting = timezone.make_aware(datetime.combine(day, time(18, 0)))
        location = location or LocationFactory()
        for number in range(1, extracted + 1):
            starts_at = first_meeting + timedelta(weeks=number - 1)
            MeetingFactory(
                training=training,
                number=number,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=3),
                location=location,
            )


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.Meeting"

    training = factory.SubFactory(TrainingFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyAttribute(lambda meeting: meeting.starts_at + timedelta(hours=3))
    location = factory.SubFactory(LocationFactory)
    components = factory.LazyFunction(lambda: ["inclusive_climate"])


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.Enrolment"

    training = factory.SubFactory(TrainingFactory)
    person = factory.SubFactory(PersonFactory)
    status = "registered"
    source = "network"
    privacy_version = "2026-11"


class EvaluationFactory(factory.django.DjangoModelFactory):
    """Answers of one participant; `moment="after"` (default "before") also fills satisfaction and
    usefulness. Every item gets `score` (default 3)."""

    class Meta:
        model = "trainings.Evaluation"
        exclude = ["score"]

    enrolment = factory.SubFactory(EnrolmentFactory)
    moment = "before"
    score = 3
    self_efficacy = factory.LazyAttribute(
        lambda evaluation: {item: evaluation.score for item in _self_efficacy_items()}
    )
    satisfaction = factory.LazyAttribute(lambda evaluation: 8 if evaluation.moment == "after" else None)
    usefulness = factory.LazyAttribute(
        lambda evaluation: (
            {component: evaluation.score for component in _active_components()} if evaluation.moment == "after" else {}
        )
    )


def _self_efficacy_items():
    from trainings.enums import SelfEfficacyItem

    return SelfEfficacyItem.values


def _active_components():
    from trainings.enums import ActiveComponent

    return ActiveComponent.values


class OutreachContactFactory(factory.django.DjangoModelFactory):
    """A contact logged by an ambassador (a new one unless `logged_by` is given), dated today."""

    class Meta:
        model = "dissemination.OutreachContact"

    logged_by = factory.SubFactory(UserFactory, roles=["ambassador"])
    organisation = factory.SubFactory(OrganisationFactory)
    date = factory.LazyFunction(timezone.localdate)
    channel = "conversation"
    stage = "informed"


class CertificationFactory(factory.django.DjangoModelFactory):
    """An approved trainer certification, valid from a month ago for the default two years."""

    class Meta:
        model = "ambassadors.Certification"

    holder = factory.SubFactory(UserFactory, roles=["trainer"])
    level = "trainer"
    status = "approved"
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    valid_until = factory.LazyAttribute(lambda c: c.valid_from + relativedelta(years=2))


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.Assignment"

    training = factory.SubFactory(TrainingFactory)
    trainer = factory.SubFactory(UserFactory, roles=["trainer"])
    role = "lead"


class AmbassadorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ambassadors.Ambassador"

    user = factory.SubFactory(UserFactory, roles=["ambassador"])
    kind = "trained_supervisor"
    region = factory.LazyFunction(lambda: Region.objects.get(name="Rivierenland"))


class MaterialFactory(factory.django.DjangoModelFactory):
    """A current material version whose file name is set but not written (use the service to store a file)."""

    class Meta:
        model = "dissemination.Material"

    kind = "handbook"
    title = factory.Sequence(lambda n: f"Materiaal {n}")
    language = "nl"
    version = "1.0"
    file = factory.Sequence(lambda n: f"materials/test{n}/materiaal.pdf")
    content_type = "application/pdf"
    size = 2048


class GoalFactory(factory.django.DjangoModelFactory):
    """A goal to inform employers in the calendar year of `starts_on` (default: this year)."""

    class Meta:
        model = "dissemination.Goal"

    goal = "inform"
    target_group = TargetGroup.EMPLOYERS
    starts_on = factory.LazyFunction(lambda: timezone.localdate().replace(month=1, day=1))
    ends_on = factory.LazyAttribute(lambda goal: goal.starts_on.replace(month=12, day=31))
    target = 10


class NewsletterFactory(factory.django.DjangoModelFactory):
    """A draft campaign by a staff member; give `lists=[...]` for its audience."""

    class Meta:
        model = "dissemination.Newsletter"
        skip_postgeneration_save = True

    subject = factory.Sequence(lambda n: f"Nieuwsbrief {n}")
    body = "## Nieuws\n\nDe training start in **maart**."
    created_by = factory.SubFactory(UserFactory, roles=["staff"])

    @factory.post_generation
    def lists(newsletter, create, extracted, **kwargs):
        if create and extracted:
            newsletter.lists.set(extracted)


class MailingListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dissemination.MailingList"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Lijst {n}")


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed subscriber; give `lists=[...]` (set as-is: no consent records are made, see
    dissemination.services.subscriptions for subscribers with a consent history)."""

    class Meta:
        model = "dissemination.Subscriber"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"abonnee{n}@example.org")
    name = factory.Sequence(lambda n: f"Abonnee {n}")
    first_name = factory.LazyAttribute(lambda subscriber: first_name_of(subscriber.name))
    status = "confirmed"
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def lists(subscriber, create, extracted, **kwargs):
        if create and extracted:
            subscriber.lists.set(extracted)
