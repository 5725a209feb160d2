"""A person with one row of every kind the system can hold about them (tests of export and erasure)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from ambassadors.models import CertificationEvent, CertificationEvidence
from dissemination.enums import SubscriberStatus
from dissemination.models import Delivery, Event, EventGuest, MailEvent, Person
from dissemination.services.subscriptions import subscriber_confirm
from tests.factories import (
    AmbassadorFactory,
    AssignmentFactory,
    CertificationFactory,
    EnrolmentFactory,
    EvaluationFactory,
    MailingListFactory,
    NewsletterFactory,
    OutreachContactFactory,
    PersonFactory,
    SubscriberFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.models import Attendance, Certificate, ScheduledMessage


def finished_run(**kwargs):
    """A completed run whose five meetings lie two to one months in the past."""
    first = timezone.now() - timedelta(days=70)
    return TrainingFactory(status="completed", meetings=5, meetings__first_meeting=first, **kwargs)


def future_run(**kwargs):
    return TrainingFactory(status="open", meetings=5, **kwargs)


@dataclass
class Everything:
    person: Person
    training: object
    enrolment: object
    subscriber: object
    user: object
    trainer: object
    extra: dict = field(default_factory=dict)


def person_with_everything(
    *, email="Anna.Jansen@example.org", first_name="Anna", last_name="Jansen", rows=1, training=None, trainer=None
) -> Everything:
    """`person` (email in mixed case) with `rows` of each kind: enrolments in finished runs (with
    attendance, a certificate, evaluations, a mail), event guest rows, outreach contacts with notes,
    a subscriber with the same address (other case) with consent records, deliveries and a bounce,
    further subscribers linked by the person key, and a user account with that address holding
    certifications (events, evidence) and an ambassador profile."""
    person = PersonFactory(
        first_name=first_name, last_name=last_name, email=email, phone="0612345678", function="Teamleider"
    )
    # Named, so that a random name ("Johanna Jansen") never holds the words the tests look for.
    trainer = trainer or UserFactory(roles=["trainer"], first_name="Tineke", last_name="Trainersma")
    if training is None:
        CertificationFactory(holder=trainer, valid_from=timezone.localdate() - timedelta(days=200))
    mailing_list = MailingListFactory(name="Werkgevers")
    enrolments = []
    for number in range(rows):
        run = training if (training is not None and number == 0) else finished_run()
        if training is None or number > 0:
            AssignmentFactory(training=run, trainer=trainer, role="lead")
        enrolment = EnrolmentFactory(
            training=run,
            person=person,
            status="completed",
            dietary_wishes="Geen noten",
            consented_at=timezone.now() - timedelta(days=90),
            completed_at=timezone.now() - timedelta(days=40),
        )
        meetings = list(run.meetings.order_by("number"))
        for meeting in meetings[:-1]:
            Attendance.objects.create(enrolment=enrolment, meeting=meeting, present=True)
        Attendance.objects.create(enrolment=enrolment, meeting=meetings[-1], present=False, absence_reason="Griep")
        Certificate.objects.create(enrolment=enrolment)
        EvaluationFactory(enrolment=enrolment, moment="before", score=2)
        EvaluationFactory(enrolment=enrolment, moment="after", score=4, remarks=f"{first_name} vond het nuttig")
        ScheduledMessage.objects.create(kind="certificate", enrolment=enrolment, due_at=timezone.now(), status="sent")
        ScheduledMessage.objects.create(
            kind="evaluation_after", enrolment=enrolment, due_at=timezone.now() + timedelta(days=1)
        )
        enrolments.append(enrolment)

        event = Event.objects.create(kind="congress", title=f"Slotcongres {number}", date=timezone.localdate())
        EventGuest.objects.create(event=event, person=person, invited=True, attended=True)
        OutreachContactFactory(
            person=person, organisation=person.organisation, notes=f"Gesprek {number} met {first_name} over het team"
        )

    subscriber = SubscriberFactory(
        email=email.lower(),
        name=f"{first_name} {last_name}",
        organisation_name="Bakkerij",
        status=SubscriberStatus.PENDING,
    )
    subscriber_confirm(subscriber=subscriber, list_ids=[mailing_list.pk])
    subscriber.refresh_from_db()
    for number in range(rows):
        delivery = Delivery.objects.create(
            newsletter=NewsletterFactory(lists=[mailing_list]),
            subscriber=subscriber,
            status="sent",
            sent_at=timezone.now(),
            last_error=f"452 {email} mailbox full" if number == 0 else "",
        )
        MailEvent.objects.create(subscriber=subscriber, kind="soft_bounce", delivery=delivery, detail=f"{email} full")
    for number in range(rows - 1):
        SubscriberFactory(email=f"{first_name.lower()}.werk{number}@example.org", person=person, name=first_name)

    user = UserFactory(email=email.lower(), first_name=first_name, last_name=last_name, roles=["ambassador", "trainer"])
    for number in range(rows):
        certification = CertificationFactory(holder=user, level="co_trainer" if number == 0 else "trainer")
        CertificationEvent.objects.create(certification=certification, action="approved", note="Goed gedaan")
        CertificationEvidence.objects.create(
            certification=certification,
            file=f"evidence/test{number}.pdf",
            original_name=f"diploma-{number}.pdf",
            content_type="application/pdf",
            size=1234,
        )
    AmbassadorFactory(user=user, organisation=person.organisation)
    return Everything(
        person=person,
        training=enrolments[0].training,
        enrolment=enrolments[0],
        subscriber=subscriber,
        user=user,
        trainer=trainer,
        extra={"enrolments": enrolments, "mailing_list": mailing_list},
    )
