"""The waiting list: offers in order, accepting, lapsing, and never more places than capacity."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentorwijs.policy.registry import POLICIES_BY_KEY
from tests.factories import EnrolmentFactory, TrainingFactory
from trainings.enums import PLACE_HOLDING_STATUSES, EnrolmentStatus, MessageKind, TrainingStatus
from trainings.models import ScheduledMessage
from trainings.services.enrolment import enrolment_cancel, offer_accept, offer_is_open, waitlist_offer_next
from trainings.tasks import lapse_offers

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 2, 10, 0))
OFFER_HOURS = POLICIES_BY_KEY["waitlist_offer_hours"].default  # 48 unless staff change it


class Clock:
    def __init__(self, monkeypatch):
        self.now = NOW
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def full_run_with_waiting(waiting=2, capacity=1):
    """A full run: `capacity` registered, then `waiting` people in line one minute apart."""
    training = TrainingFactory(capacity=capacity, status=TrainingStatus.FULL, meetings=2)
    registered = EnrolmentFactory.create_batch(capacity, training=training, status=EnrolmentStatus.REGISTERED)
    in_line = [
        EnrolmentFactory(
            training=training,
            status=EnrolmentStatus.WAITLISTED,
            waitlisted_at=NOW - timedelta(minutes=10 - number),
            person__email=f"waiting{number}@example.org",
        )
        for number in range(waiting)
    ]
    return training, registered, in_line


def statuses(*enrolments):
    for enrolment in enrolments:
        enrolment.refresh_from_db()
    return [enrolment.status for enrolment in enrolments]


def places_held(training):
    return training.enrolments.filter(status__in=PLACE_HOLDING_STATUSES).count()


def test_waitlist_offer_goes_to_first_in_line(clock, django_capture_on_commit_callbacks):
    training, [registered], [first, second] = full_run_with_waiting()
    # Enrolled later but waiting longer: the order is waitlisted_at, not the id.
    first.waitlisted_at, second.waitlisted_at = NOW - timedelta(minutes=1), NOW - timedelta(minutes=5)
    first.save()
    second.save()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_cancel(enrolment=registered)
    assert statuses(first, second) == [EnrolmentStatus.WAITLISTED, EnrolmentStatus.OFFERED]
    assert second.offer_expires_at == NOW + timedelta(hours=OFFER_HOURS)
    assert [message.to for message in mail.outbox] == [[registered.person.email], ["waiting1@example.org"]]
    training.refresh_from_db()
    assert training.status == TrainingStatus.FULL  # the offered place is held


def test_two_free_places_make_two_offers_in_order(clock):
    training, registered, in_line = full_run_with_waiting(waiting=3, capacity=2)
    training.capacity = 4
    training.save()
    offered = waitlist_offer_next(training=training)
    assert offered == in_line[:2]
    assert statuses(*in_line) == ["offered", "offered", "waitlisted"]
    assert places_held(training) == 4


def test_accepting_an_offer_registers_and_sends_the_confirmation(clock):
    training, [registered], [first, second] = full_run_with_waiting()
    enrolment_cancel(enrolment=registered)
    first.refresh_from_db()
    accepted = offer_accept(enrolment=first)
    assert accepted.status == EnrolmentStatus.REGISTERED
    assert ScheduledMessage.objects.filter(enrolment=first, kind=MessageKind.ENROLMENT_CONFIRMED).count() == 1
    assert ScheduledMessage.objects.filter(enrolment=first, kind=MessageKind.MEETING_REMINDER).count() == 2
    assert statuses(second) == [EnrolmentStatus.WAITLISTED]


def test_accepting_twice_is_harmless(clock):
    training, [registered], [first, _] = full_run_with_waiting()
    enrolment_cancel(enrolment=registered)
    offer_accept(enrolment=first)
    offer_accept(enrolment=first)
    assert ScheduledMessage.objects.filter(enrolment=first, kind=MessageKind.ENROLMENT_CONFIRMED).count() == 1
    assert places_held(training) == 1


def test_accepting_after_the_offer_expired_is_refused(clock):
    training, [registered], [first, _] = full_run_with_waiting()
    enrolment_cancel(enrolment=registered)
    clock.advance(hours=OFFER_HOURS, seconds=1)
    with pytest.raises(ValidationError):
        offer_accept(enrolment=first)
    assert statuses(first) == [EnrolmentStatus.OFFERED]


@pytest.mark.parametrize(
    ("status", "expires_in", "is_open"),
    [
        (EnrolmentStatus.OFFERED, timedelta(minutes=1), True),
        (EnrolmentStatus.OFFERED, timedelta(0), False),
        (EnrolmentStatus.OFFERED, None, False),
        (EnrolmentStatus.WAITLISTED, timedelta(hours=1), False),
        (EnrolmentStatus.REGISTERED, timedelta(hours=1), False),
    ],
)
def test_an_offer_is_open_only_while_offered_and_before_it_expires(status, expires_in, is_open):
    enrolment = EnrolmentFactory.build(status=status, offer_expires_at=None if expires_in is None else NOW + expires_in)
    assert offer_is_open(enrolment, now=NOW) is is_open


def test_the_personal_page_and_accepting_agree_on_an_offer_at_its_last_moment(clock, client):
    training, [registered], [first, _] = full_run_with_waiting()
    enrolment_cancel(enrolment=registered)
    first.refresh_from_db()
    clock.now = first.offer_expires_at  # the offer runs out at this very moment
    page = client.get(reverse("trainings:personal", kwargs={"token": first.token}))
    assert page.context["offer_open"] is False
    with pytest.raises(ValidationError):
        offer_accept(enrolment=first)
    assert statuses(first) == [EnrolmentStatus.OFFERED]


def test_accepting_without_an_offer_is_refused():
    training, _, [first, _] = full_run_with_waiting()
    with pytest.raises(ValidationError):
        offer_accept(enrolment=first)
    assert statuses(first) == [EnrolmentStatus.WAITLISTED]


def test_a_lapsed_offer_is_told_and_goes_to_the_next_in_line(clock, django_capture_on_commit_callbacks):
    training, [registered], [first, second] = full_run_with_waiting()
    enrolment_cancel(enrolment=registered)
    clock.advance(hours=OFFER_HOURS - 1)
    assert lapse_offers.apply().get() == 0  # not yet
    clock.advance(hours=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert lapse_offers.apply().get() == 1
    assert statuses(first, second) == [EnrolmentStatus.CANCELLED, EnrolmentStatus.OFFERED]
    assert first.cancelled_at == clock.now
    assert second.offer_expires_at == clock.now + timedelta(hours=OFFER_HOURS)
    lapsed = ScheduledMessage.objects.get(enrolment=first, kind=MessageKind.OFFER_LAPSED)
    offer = ScheduledMessage.objects.get(enrolment=second, kind=MessageKind.WAITLIST_OFFER)
    assert sorted((m.to[0], m.extra_headers["Message-ID"]) for m in mail.outbox) == sorted(
        [("waiting0@example.org", lapsed.message_id), ("waiting1@example.org", offer.message_id)]
    )


def test_the_last_lapsed_offer_with_nobody_waiting_reopens_the_run(clock):
    training, [registered], [only] = full_run_with_waiting(waiting=1)
    enrolment_cancel(enrolment=registered)
    clock.advance(hours=OFFER_HOURS)
    lapse_offers.apply()
    training.refresh_from_db()
    assert statuses(only) == [EnrolmentStatus.CANCELLED]
    assert training.status == TrainingStatus.OPEN


def test_leaving_the_waiting_list_offers_nothing_and_keeps_the_run_full(clock):
    training, _, [first, second] = full_run_with_waiting()
    enrolment_cancel(enrolment=first)
    training.refresh_from_db()
    assert statuses(second) == [EnrolmentStatus.WAITLISTED]
    assert training.status == TrainingStatus.FULL


def test_declining_an_offer_offers_the_place_to_the_next(clock):
    training, [registered], [first, second] = full_run_with_waiting()
    enrolment_cancel(enrolment=registered)
    enrolment_cancel(enrolment=first)
    assert statuses(first, second) == [EnrolmentStatus.CANCELLED, EnrolmentStatus.OFFERED]


def test_capacity_is_never_exceeded_through_cancellations_and_offers(clock):
    training, registered, in_line = full_run_with_waiting(waiting=6, capacity=3)
    for enrolment in registered:
        enrolment_cancel(enrolment=enrolment)
        assert places_held(training) == 3
    for enrolment in in_line[:3]:
        enrolment.refresh_from_db()
        offer_accept(enrolment=enrolment)
        assert places_held(training) == 3
    assert statuses(*in_line) == ["registered"] * 3 + ["waitlisted"] * 3


def test_raising_the_capacity_offers_the_new_places_to_those_waiting():
    from trainings.services.scheduling import training_update

    training = TrainingFactory(capacity=1, status=TrainingStatus.FULL)
    EnrolmentFactory(training=training)
    first = EnrolmentFactory(training=training, status=EnrolmentStatus.WAITLISTED, waitlisted_at=timezone.now())
    training_update(training=training, capacity=2)
    first.refresh_from_db()
    assert first.status == EnrolmentStatus.OFFERED
    assert ScheduledMessage.objects.filter(enrolment=first, kind=MessageKind.WAITLIST_OFFER).count() == 1
