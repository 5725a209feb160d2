"""Row locks on PostgreSQL for places in a run: requests at the same moment never give one place
twice and never exceed the capacity."""

import pytest
from django.utils import timezone

from dissemination.models import Region
from tests.factories import EnrolmentFactory, OrganisationFactory, TrainingFactory
from tests.services.threads import at_once
from trainings.enums import PLACE_HOLDING_STATUSES, EnrolmentStatus, MessageKind, TrainingStatus
from trainings.models import Enrolment, ScheduledMessage
from trainings.services.enrolment import enrolment_cancel, enrolment_create, offer_accept


@pytest.fixture(autouse=True)
def region(transactional_db):
    """transactional_db empties the tables after each test, the regions of the data migration too."""
    return Region.objects.get_or_create(name="Rivierenland")[0]


def places_held(training):
    return Enrolment.objects.filter(training=training, status__in=PLACE_HOLDING_STATUSES).count()


def test_two_enrolments_at_once_for_the_last_place_give_it_once(transactional_db):
    training = TrainingFactory(capacity=2, meetings=1)
    EnrolmentFactory(training=training)
    organisation = OrganisationFactory(public_since=timezone.now())  # a public enrolment names a public one

    def enrol(email):
        return enrolment_create(
            training=training,
            first_name="Race",
            last_name=email,
            email=email,
            organisation=organisation,
            consent=True,
        )

    outcomes = at_once(enrol, ["anna@example.org", "bram@example.org"])
    assert sorted(outcome.status for outcome in outcomes.values()) == [
        EnrolmentStatus.REGISTERED,
        EnrolmentStatus.WAITLISTED,
    ], outcomes
    assert places_held(training) == 2
    training.refresh_from_db()
    assert training.status == TrainingStatus.FULL


def test_two_cancellations_at_once_make_two_offers_to_two_people(transactional_db):
    training = TrainingFactory(capacity=2, status=TrainingStatus.FULL, meetings=1)
    registered = EnrolmentFactory.create_batch(2, training=training)
    waiting = [
        EnrolmentFactory(training=training, status=EnrolmentStatus.WAITLISTED, waitlisted_at=registered[0].created_at)
        for _ in range(2)
    ]

    outcomes = at_once(lambda enrolment: enrolment_cancel(enrolment=enrolment), registered)
    assert all(outcome.status == EnrolmentStatus.CANCELLED for outcome in outcomes.values()), outcomes
    for enrolment in waiting:
        enrolment.refresh_from_db()
    assert [enrolment.status for enrolment in waiting] == [EnrolmentStatus.OFFERED, EnrolmentStatus.OFFERED]
    assert ScheduledMessage.objects.filter(kind=MessageKind.WAITLIST_OFFER).count() == 2
    assert places_held(training) == 2


def test_the_same_offer_accepted_twice_at_once_registers_once(transactional_db):
    training = TrainingFactory(capacity=1, status=TrainingStatus.FULL, meetings=1)
    registered = EnrolmentFactory(training=training)
    offered = EnrolmentFactory(
        training=training, status=EnrolmentStatus.WAITLISTED, waitlisted_at=registered.created_at
    )
    enrolment_cancel(enrolment=registered)
    offered.refresh_from_db()
    assert offered.status == EnrolmentStatus.OFFERED

    outcomes = at_once(lambda copy: offer_accept(enrolment=Enrolment.objects.get(pk=offered.pk)), ["one", "two"])
    assert [outcome.status for outcome in outcomes.values()] == [EnrolmentStatus.REGISTERED] * 2, outcomes
    assert ScheduledMessage.objects.filter(enrolment=offered, kind=MessageKind.ENROLMENT_CONFIRMED).count() == 1
    assert places_held(training) == 1
