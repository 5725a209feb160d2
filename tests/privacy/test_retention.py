"""Retention: each rule with rows just inside and just outside its period, and a second run that changes nothing."""

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from dissemination.enums import ConsentAction, ConsentSource, SubscriberStatus
from dissemination.models import ConsentRecord, OutreachContact, Person, Subscriber
from mentorwijs.outbox.models import CaughtMail
from mentorwijs.privacy import retention
from mentorwijs.privacy.models import ErasureRecord
from mentorwijs.privacy.tasks import apply_retention_task
from tests.factories import (
    AmbassadorFactory,
    EnrolmentFactory,
    MailingListFactory,
    MeetingFactory,
    OutreachContactFactory,
    PersonFactory,
    SubscriberFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.models import Attendance, Enrolment

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _periods(policy):
    policy(retention_participant_years=5)
    policy(retention_run_details_days=90)
    policy(retention_unconfirmed_subscriber_days=30)
    policy(retention_outreach_notes_years=3)
    policy(retention_caught_mail_days=90)
    policy(retention_audit_log_years=5)


@pytest.fixture
def now():
    return timezone.now()


def participant(*, run_ended, person=None):
    """A person who completed a run whose last meeting ended at `run_ended`."""
    training = TrainingFactory(status="completed")
    MeetingFactory(training=training, number=1, starts_at=run_ended - timedelta(weeks=4, hours=3))
    MeetingFactory(training=training, number=2, starts_at=run_ended - timedelta(hours=3), ends_at=run_ended)
    enrolment = EnrolmentFactory(
        training=training,
        person=person or PersonFactory(),
        status="completed",
        dietary_wishes="vegetarisch",
        created_at=run_ended - timedelta(weeks=6),
    )
    return enrolment.person


def five_years_before(now):
    return now - relativedelta(years=5)


# Participants


def test_participant_is_anonymised_once_the_period_after_the_run_has_passed(now):
    person = participant(run_ended=five_years_before(now) - DAY)

    assert retention.anonymise_former_participants(now=now) == 1

    person.refresh_from_db()
    assert person.first_name == "Verwijderd"
    assert person.email == ""
    assert person.enrolments.get().dietary_wishes == ""
    assert person.enrolments.count() == 1  # kept for the figures
    record = ErasureRecord.objects.get(person_id=person.pk)
    assert record.by is None
    assert record.reason == "retention"


def test_participant_is_kept_until_the_period_has_passed(now):
    person = participant(run_ended=five_years_before(now) + DAY)
    email = person.email

    assert retention.anonymise_former_participants(now=now) == 0

    person.refresh_from_db()
    assert person.email == email
    assert not ErasureRecord.objects.exists()


def test_participant_with_a_later_run_is_kept(now):
    person = participant(run_ended=five_years_before(now) - DAY)
    participant(run_ended=now - timedelta(days=100), person=person)

    assert retention.anonymise_former_participants(now=now) == 0
    assert Person.objects.get(pk=person.pk).email == person.email


def test_participant_who_is_still_a_contact_or_an_ambassador_is_kept(now):
    contact = participant(run_ended=five_years_before(now) - DAY)
    OutreachContactFactory(person=contact, organisation=contact.organisation, date=timezone.localdate(now))
    ambassador = participant(run_ended=five_years_before(now) - DAY)
    AmbassadorFactory(person=ambassador, user=None)
    account_holder = participant(run_ended=five_years_before(now) - DAY)
    UserFactory(email=account_holder.email)

    assert retention.anonymise_former_participants(now=now) == 0


def test_participant_who_still_reads_the_newsletter_keeps_the_subscription(now):
    """Erasing them would withdraw a consent still given: a running subscription keeps the person."""
    reader = participant(run_ended=five_years_before(now) - DAY)
    newsletter = MailingListFactory(name="Nieuwsbrief")
    subscription = SubscriberFactory(email=reader.email, person=reader, lists=[newsletter])
    signing_up = participant(run_ended=five_years_before(now) - DAY)
    SubscriberFactory(email=signing_up.email.upper(), status=SubscriberStatus.PENDING, confirmed_at=None)
    left = participant(run_ended=five_years_before(now) - DAY)
    SubscriberFactory(email=left.email, person=left, status=SubscriberStatus.UNSUBSCRIBED)

    assert list(retention.participants_due(now=now)) == [left]
    assert retention.anonymise_former_participants(now=now) == 1

    subscription.refresh_from_db()
    assert (subscription.email, subscription.status) == (reader.email, "confirmed")
    assert list(subscription.lists.all()) == [newsletter]
    assert Person.objects.get(pk=reader.pk).email == reader.email
    assert Person.objects.get(pk=signing_up.pk).email == signing_up.email


def test_person_who_never_enrolled_is_not_a_participant(now):
    PersonFactory()
    assert list(retention.participants_due(now=now)) == []


def test_anonymising_twice_changes_nothing_the_second_time(now):
    participant(run_ended=five_years_before(now) - DAY)

    assert retention.anonymise_former_participants(now=now) == 1
    assert retention.anonymise_former_participants(now=now) == 0
    assert ErasureRecord.objects.count() == 1


# Dietary wishes and reasons for absence


def absent_at_the_last_meeting(person, reason="Griep"):
    enrolment = person.enrolments.get()
    return Attendance.objects.create(
        enrolment=enrolment, meeting=enrolment.training.meetings.get(number=2), present=False, absence_reason=reason
    )


def test_run_details_are_emptied_after_the_period_and_the_rest_is_kept(now):
    old = participant(run_ended=now - timedelta(days=90) - DAY)
    old_absence = absent_at_the_last_meeting(old)
    recent = participant(run_ended=now - timedelta(days=90) + DAY)
    recent_absence = absent_at_the_last_meeting(recent)

    assert retention.clear_run_details(now=now) == 2

    old_enrolment = old.enrolments.get()
    old_absence.refresh_from_db()
    assert (old_enrolment.dietary_wishes, old_absence.absence_reason) == ("", "")
    assert (old_enrolment.status, old_absence.present) == ("completed", False)  # the figures stay
    old.refresh_from_db()
    assert old.first_name != "Verwijderd"  # the person is anonymised only after the participants' period
    recent_absence.refresh_from_db()
    assert recent.enrolments.get().dietary_wishes == "vegetarisch"
    assert recent_absence.absence_reason == "Griep"
    assert retention.clear_run_details(now=now) == 0


def test_run_details_leave_the_audit_trail_too(now):
    old = participant(run_ended=now - timedelta(days=91))
    absence = absent_at_the_last_meeting(old, reason="Griep")
    enrolment = old.enrolments.get()

    retention.clear_run_details(now=now)

    entries = LogEntry.objects.filter(
        content_type__in=ContentType.objects.get_for_models(Enrolment, Attendance).values(),
        object_pk__in=[str(enrolment.pk), str(absence.pk)],
    )
    assert entries.count() == 2  # the creation of each
    for entry in entries:
        text = f"{entry.changes} {entry.changes_text} {entry.serialized_data}"
        assert "vegetarisch" not in text
        assert "Griep" not in text
        assert entry.object_repr.startswith(str(old))  # still named until the person is anonymised


def test_a_catch_up_in_a_later_run_keeps_its_reason_until_that_meeting_is_as_old(now):
    old = participant(run_ended=now - timedelta(days=200))
    later_meeting = MeetingFactory(starts_at=now - timedelta(days=30))
    catch_up = Attendance.objects.create(
        enrolment=old.enrolments.get(), meeting=later_meeting, present=False, absence_reason="Zorg voor kind"
    )

    assert retention.clear_run_details(now=now) == 1  # the dietary wishes only

    catch_up.refresh_from_db()
    assert catch_up.absence_reason == "Zorg voor kind"


# Unconfirmed subscribers


def pending(*, signed_up, asked=None, **kwargs):
    return SubscriberFactory(
        status=SubscriberStatus.PENDING,
        confirmed_at=None,
        created_at=signed_up,
        confirmation_sent_at=asked or signed_up,
        **kwargs,
    )


def test_unconfirmed_subscriber_is_deleted_after_the_period(now):
    mailing_list = MailingListFactory()
    old = pending(signed_up=now - timedelta(days=30) - DAY, lists=[mailing_list])
    fresh = pending(signed_up=now - timedelta(days=30) + DAY)
    asked_again = pending(signed_up=now - timedelta(days=60), asked=now - timedelta(days=3))
    confirmed = SubscriberFactory(created_at=now - timedelta(days=400))

    assert retention.delete_unconfirmed_subscribers(now=now) == 1

    assert set(Subscriber.objects.values_list("pk", flat=True)) == {fresh.pk, asked_again.pk, confirmed.pk}
    assert not mailing_list.subscribers.exists()
    assert retention.delete_unconfirmed_subscribers(now=now) == 0
    assert old.pk not in Subscriber.objects.values_list("pk", flat=True)


def test_unconfirmed_subscriber_with_consent_records_is_kept(now):
    subscriber = pending(signed_up=now - timedelta(days=100))
    ConsentRecord.objects.create(
        subscriber=subscriber,
        email=subscriber.email,
        mailing_list=MailingListFactory(),
        action=ConsentAction.GIVEN,
        wording_version="1",
        source=ConsentSource.FORM,
    )

    assert retention.delete_unconfirmed_subscribers(now=now) == 0
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_deleted_subscriber_leaves_no_address_in_the_audit_trail(now):
    old = pending(signed_up=now - timedelta(days=31), email="weg@example.org")
    kept = pending(signed_up=now - timedelta(days=2), email="blijft@example.org")
    subscriber_type = ContentType.objects.get_for_model(Subscriber)
    assert LogEntry.objects.filter(content_type=subscriber_type, object_pk=str(old.pk)).exists()

    retention.delete_unconfirmed_subscribers(now=now)

    assert not LogEntry.objects.filter(content_type=subscriber_type, object_pk=str(old.pk)).exists()
    assert not LogEntry.objects.filter(object_repr__icontains="weg@example.org").exists()
    assert LogEntry.objects.filter(content_type=subscriber_type, object_pk=str(kept.pk)).exists()


# Outreach notes


def test_outreach_notes_are_cleared_after_the_period_and_the_contact_is_kept(now):
    cutoff = timezone.localdate(now) - relativedelta(years=3)
    old = OutreachContactFactory(date=cutoff - DAY, notes="Gesprek met de directeur.")
    recent = OutreachContactFactory(date=cutoff, notes="Belt terug in maart.")

    assert retention.clear_outreach_notes(now=now) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.notes == ""
    assert old.stage == "informed"
    assert recent.notes == "Belt terug in maart."
    assert OutreachContact.objects.count() == 2
    assert retention.clear_outreach_notes(now=now) == 0


# Caught mail


def caught(at):
    return CaughtMail.objects.create(
        caught_at=at, from_email="noreply@example.org", recipients="a@example.org", subject="Hallo", raw=b"x"
    )


def test_caught_mail_is_deleted_after_the_period(now):
    caught(now - timedelta(days=90) - DAY)
    recent = caught(now - timedelta(days=90) + DAY)

    assert retention.delete_caught_mail(now=now) == 1
    assert list(CaughtMail.objects.values_list("pk", flat=True)) == [recent.pk]
    assert retention.delete_caught_mail(now=now) == 0


# Audit trail


def test_audit_entries_are_deleted_after_the_period(now):
    old_person, recent_person = PersonFactory(), PersonFactory()
    person_type = ContentType.objects.get_for_model(Person)
    LogEntry.objects.filter(content_type=person_type, object_pk=str(old_person.pk)).update(
        timestamp=five_years_before(now) - DAY
    )
    LogEntry.objects.filter(content_type=person_type, object_pk=str(recent_person.pk)).update(
        timestamp=five_years_before(now) + DAY
    )

    assert retention.delete_old_audit_entries(now=now) == 1
    assert LogEntry.objects.filter(content_type=person_type, object_pk=str(recent_person.pk)).count() == 1
    assert retention.delete_old_audit_entries(now=now) == 0


# All rules


def test_the_nightly_task_applies_every_rule_and_is_idempotent():
    now = timezone.now()
    participant(run_ended=five_years_before(now) - timedelta(days=2))
    participant(run_ended=now - timedelta(days=100))
    pending(signed_up=now - timedelta(days=40))
    OutreachContactFactory(date=timezone.localdate() - relativedelta(years=4), notes="Oude notitie")
    caught(now - timedelta(days=120))

    first = apply_retention_task.delay().get()
    second = apply_retention_task.delay().get()

    assert first["participants_anonymised"] == 1
    assert first["run_details_cleared"] == 1  # the other's went with the anonymisation
    assert first["unconfirmed_subscribers_deleted"] == 1
    assert first["outreach_notes_cleared"] == 1
    assert first["caught_mail_deleted"] == 1
    assert set(second.values()) == {0}


def test_the_task_is_scheduled_nightly(settings):
    assert settings.CELERY_BEAT_SCHEDULE["privacy-apply-retention"]["task"] == apply_retention_task.name


# The policy page


def test_the_retention_page_is_public_and_states_the_periods_staff_set(client, policy):
    policy(retention_participant_years=7)
    policy(retention_unconfirmed_subscriber_days=21)
    policy(retention_run_details_days=60)
    response = client.get(reverse("privacy:retention"))

    assert response.status_code == 200
    assert response.context["periods"]["participant_years"] == 7
    assert response.context["periods"]["unconfirmed_subscriber_days"] == 21
    content = response.content.decode()
    assert re.search(r'data-testid="retention-participants">7\b', content)
    assert re.search(r'data-testid="retention-unconfirmed-subscribers">21\b', content)
    assert re.search(r'data-testid="retention-run-details">60\b', content)


def test_the_footer_links_to_the_retention_page(client):
    response = client.get(reverse("newsletter:signup"))
    assert f'href="{reverse("privacy:retention")}"' in response.content.decode()
