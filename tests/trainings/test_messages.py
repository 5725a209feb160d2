"""Service mail as rows: claimed once, retried on temporary errors, following the meetings."""

import smtplib
import socket
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import dateformat, timezone, translation
from icalendar import Calendar

from tests.factories import EnrolmentFactory, PersonFactory, TrainingFactory, UserFactory
from trainings.enums import EnrolmentStatus, EvaluationMoment, MeetingStatus, MessageKind, MessageStatus
from trainings.models import Evaluation, ScheduledMessage
from trainings.services.messages import (
    MAX_ATTEMPTS,
    STALE_AFTER,
    build_email,
    message_claim,
    message_schedule,
    messages_send_due,
    reminders_cancel,
    reminders_schedule_for_enrolment,
    reminders_schedule_for_meeting,
    reminders_schedule_for_trainer,
)
from trainings.tasks import send_due_messages, send_message

pytestmark = pytest.mark.django_db

DISCONNECTED = "tests.trainings.test_messages.DisconnectedBackend"
REFUSED = "tests.trainings.test_messages.RefusingBackend"


class DisconnectedBackend(BaseEmailBackend):
    """An SMTP server that hangs up: a temporary error."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses the recipient: a permanent error."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such user")})


@pytest.fixture
def training():
    return TrainingFactory(meetings=5)


def due_reminder(training, **enrolment_kwargs):
    """A reminder for the first meeting that was due a minute ago."""
    enrolment = EnrolmentFactory(training=training, **enrolment_kwargs)
    meeting = training.meetings.get(number=1)
    return ScheduledMessage.objects.create(
        kind=MessageKind.MEETING_REMINDER,
        enrolment=enrolment,
        meeting=meeting,
        due_at=timezone.now() - timedelta(minutes=1),
    )


def reload(message):
    return ScheduledMessage.objects.get(pk=message.pk)


def test_due_message_is_sent_once_even_when_asked_twice(training):
    message = due_reminder(training)

    assert messages_send_due() == 1
    assert messages_send_due() == 0
    assert send_message.delay(message_id=message.pk).get() is False
    assert send_due_messages.delay().get() == 0

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [message.enrolment.person.email]
    sent = reload(message)
    assert sent.status == MessageStatus.SENT
    assert sent.attempts == 1
    assert sent.message_id == f"<trainings-message-{message.pk}@mentorwijs.nl>"
    assert mail.outbox[0].extra_headers["Message-ID"] == sent.message_id


def test_message_not_yet_due_is_not_sent(training):
    message = due_reminder(training)
    ScheduledMessage.objects.filter(pk=message.pk).update(due_at=timezone.now() + timedelta(minutes=1))

    assert messages_send_due() == 0
    assert send_message.delay(message_id=message.pk).get() is False

    assert mail.outbox == []
    assert reload(message).status == MessageStatus.PENDING
    assert reload(message).attempts == 0


def test_message_due_now_leaves_on_commit(training, django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory(training=training)
    with django_capture_on_commit_callbacks(execute=True):
        message = message_schedule(kind=MessageKind.EVALUATION_BEFORE, enrolment=enrolment)

    assert [email.to for email in mail.outbox] == [[enrolment.person.email]]
    assert reload(message).status == MessageStatus.SENT


def test_row_left_sending_by_a_dead_worker_goes_out_again_after_stale_after_with_the_same_message_id(training):
    message = due_reminder(training)
    # A worker claims the row, hands the mail to the server and dies before it marks the row SENT.
    claimed = message_claim(message_id=message.pk)
    build_email(claimed).send()
    assert reload(message).status == MessageStatus.SENDING

    assert messages_send_due() == 0  # still someone else's, for all we know
    ScheduledMessage.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - STALE_AFTER - timedelta(seconds=1)
    )
    assert messages_send_due() == 1

    assert len(mail.outbox) == 2
    first, second = (email.extra_headers["Message-ID"] for email in mail.outbox)
    assert first == second == f"<trainings-message-{message.pk}@mentorwijs.nl>"
    sent = reload(message)
    assert sent.status == MessageStatus.SENT
    assert sent.attempts == 2


def test_row_that_keeps_killing_the_worker_fails_after_max_attempts(training):
    message = due_reminder(training)
    ScheduledMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING,
        attempts=MAX_ATTEMPTS,
        claimed_at=timezone.now() - STALE_AFTER - timedelta(seconds=1),
    )

    assert messages_send_due() == 0

    assert mail.outbox == []
    assert reload(message).status == MessageStatus.FAILED


def test_temporary_smtp_error_puts_the_row_back_with_a_later_due_at(training, settings):
    settings.EMAIL_BACKEND = DISCONNECTED
    message = due_reminder(training)
    before = timezone.now()

    assert messages_send_due() == 0

    failed = reload(message)
    assert failed.status == MessageStatus.PENDING
    assert failed.attempts == 1
    assert failed.due_at >= before + timedelta(minutes=5)
    assert failed.last_error == "Connection unexpectedly closed"
    assert messages_send_due() == 0  # not due again yet
    assert reload(message).attempts == 1


def test_temporary_smtp_error_fails_the_row_after_max_attempts(training, settings):
    settings.EMAIL_BACKEND = DISCONNECTED
    message = due_reminder(training)

    statuses = []
    for _attempt in range(MAX_ATTEMPTS):
        ScheduledMessage.objects.filter(pk=message.pk).update(due_at=timezone.now() - timedelta(seconds=1))
        messages_send_due()
        statuses.append(reload(message).status)

    assert statuses == [MessageStatus.PENDING] * (MAX_ATTEMPTS - 1) + [MessageStatus.FAILED]
    assert reload(message).attempts == MAX_ATTEMPTS
    ScheduledMessage.objects.filter(pk=message.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert messages_send_due() == 0
    assert mail.outbox == []


def test_refused_recipient_fails_the_row_at_once(training, settings):
    settings.EMAIL_BACKEND = REFUSED
    refused = due_reminder(training)

    assert messages_send_due() == 0

    row = reload(refused)
    assert row.status == MessageStatus.FAILED
    assert row.attempts == 1
    assert row.last_error.startswith("SMTPRecipientsRefused")


def test_reminder_for_a_participant_who_cancelled_is_not_sent(training):
    message = due_reminder(training)
    type(message.enrolment).objects.filter(pk=message.enrolment_id).update(status=EnrolmentStatus.CANCELLED)

    assert messages_send_due() == 0

    assert mail.outbox == []
    assert reload(message).status == MessageStatus.CANCELLED


def test_reminder_for_a_cancelled_meeting_is_not_sent(training):
    message = due_reminder(training)
    training.meetings.filter(number=1).update(status=MeetingStatus.CANCELLED)

    assert messages_send_due() == 0

    assert mail.outbox == []
    assert reload(message).status == MessageStatus.CANCELLED


def test_reminder_held_up_until_the_meeting_began_is_not_sent(training):
    message = due_reminder(training)
    start = timezone.now() - timedelta(minutes=5)
    training.meetings.filter(number=1).update(starts_at=start, ends_at=start + timedelta(hours=3))

    assert messages_send_due() == 0

    assert reload(message).status == MessageStatus.CANCELLED


def test_schedule_for_enrolment_reminds_two_days_before_each_meeting_and_asks_for_evaluations(training):
    enrolment = EnrolmentFactory(training=training)
    before = timezone.now()

    reminders_schedule_for_enrolment(enrolment=enrolment)
    reminders_schedule_for_enrolment(enrolment=enrolment)  # a second call adds nothing

    meetings = list(training.meetings.order_by("number"))
    rows = ScheduledMessage.objects.filter(enrolment=enrolment)
    reminders = rows.filter(kind=MessageKind.MEETING_REMINDER).order_by("due_at")
    assert [(row.meeting_id, row.due_at) for row in reminders] == [
        (meeting.pk, meeting.starts_at - timedelta(days=2)) for meeting in meetings
    ]
    evaluation_before = rows.get(kind=MessageKind.EVALUATION_BEFORE)
    assert before <= evaluation_before.due_at <= timezone.now()
    assert rows.get(kind=MessageKind.EVALUATION_AFTER).due_at == meetings[-1].ends_at
    assert rows.count() == 7
    assert set(rows.values_list("status", flat=True)) == {MessageStatus.PENDING}


def test_schedule_for_enrolment_skips_reminders_already_past(training):
    # The first meeting is tomorrow: its reminder time has passed; the others are ahead.
    start = timezone.now() + timedelta(days=1)
    training.meetings.filter(number=1).update(starts_at=start, ends_at=start + timedelta(hours=3))
    enrolment = EnrolmentFactory(training=training)

    reminders_schedule_for_enrolment(enrolment=enrolment)

    reminded = ScheduledMessage.objects.filter(enrolment=enrolment, kind=MessageKind.MEETING_REMINDER)
    assert sorted(reminded.values_list("meeting__number", flat=True)) == [2, 3, 4, 5]


def test_schedule_for_trainer_reminds_each_meeting_once(training):
    trainer = UserFactory(roles=["trainer"])
    training.trainers.add(trainer)

    reminders_schedule_for_trainer(training=training, user=trainer)
    reminders_schedule_for_trainer(training=training, user=trainer)

    rows = ScheduledMessage.objects.filter(user=trainer)
    assert rows.count() == 5
    assert set(rows.values_list("kind", flat=True)) == {MessageKind.MEETING_REMINDER}


def test_reminder_goes_to_the_trainer_while_they_give_the_run(training):
    trainer = UserFactory(roles=["trainer"], email="trainer@example.org")
    training.trainers.add(trainer)
    meeting = training.meetings.get(number=1)
    message = ScheduledMessage.objects.create(
        kind=MessageKind.MEETING_REMINDER, user=trainer, meeting=meeting, due_at=timezone.now()
    )
    gone = ScheduledMessage.objects.create(
        kind=MessageKind.MEETING_REMINDER, user=UserFactory(), meeting=meeting, due_at=timezone.now()
    )

    assert messages_send_due() == 1

    assert [email.to for email in mail.outbox] == [["trainer@example.org"]]
    assert reload(message).status == MessageStatus.SENT
    assert reload(gone).status == MessageStatus.CANCELLED


def test_moving_a_meeting_moves_its_waiting_reminders_and_the_after_evaluation(training):
    enrolment = EnrolmentFactory(training=training)
    reminders_schedule_for_enrolment(enrolment=enrolment)
    last = training.meetings.get(number=5)
    last.starts_at += timedelta(days=7)
    last.ends_at += timedelta(days=7)
    last.save()

    reminders_schedule_for_meeting(meeting=last, moved=True)

    reminder = ScheduledMessage.objects.get(kind=MessageKind.MEETING_REMINDER, meeting=last)
    assert reminder.due_at == last.starts_at - timedelta(days=2)
    assert ScheduledMessage.objects.get(kind=MessageKind.EVALUATION_AFTER).due_at == last.ends_at
    assert ScheduledMessage.objects.filter(meeting=last).count() == 1


def test_moving_a_meeting_later_reminds_again_who_was_reminded_of_the_old_time(training):
    enrolment = EnrolmentFactory(training=training)
    meeting = training.meetings.get(number=1)
    ScheduledMessage.objects.create(
        kind=MessageKind.MEETING_REMINDER,
        enrolment=enrolment,
        meeting=meeting,
        due_at=timezone.now() - timedelta(days=1),
        status=MessageStatus.SENT,
    )
    meeting.starts_at += timedelta(days=7)
    meeting.ends_at += timedelta(days=7)
    meeting.save()

    reminders_schedule_for_meeting(meeting=meeting, moved=True)

    waiting = ScheduledMessage.objects.get(meeting=meeting, status=MessageStatus.PENDING)
    assert waiting.enrolment == enrolment
    assert waiting.due_at == meeting.starts_at - timedelta(days=2)


def test_moving_a_meeting_into_the_next_two_days_makes_its_reminder_due_now(training):
    enrolment = EnrolmentFactory(training=training)
    reminders_schedule_for_enrolment(enrolment=enrolment)
    meeting = training.meetings.get(number=1)
    meeting.starts_at = timezone.now() + timedelta(days=1)
    meeting.ends_at = meeting.starts_at + timedelta(hours=3)
    meeting.save()
    before = timezone.now()

    reminders_schedule_for_meeting(meeting=meeting, moved=True)

    reminder = ScheduledMessage.objects.get(kind=MessageKind.MEETING_REMINDER, meeting=meeting)
    assert before <= reminder.due_at <= timezone.now()


def test_reminders_cancel_stops_waiting_rows_and_keeps_sent_ones(training):
    enrolment = EnrolmentFactory(training=training)
    other = EnrolmentFactory(training=training)
    reminders_schedule_for_enrolment(enrolment=enrolment)
    reminders_schedule_for_enrolment(enrolment=other)
    sent = ScheduledMessage.objects.filter(enrolment=enrolment, kind=MessageKind.EVALUATION_BEFORE)
    sent.update(status=MessageStatus.SENT)

    assert reminders_cancel(enrolment=enrolment) == 6

    mine = ScheduledMessage.objects.filter(enrolment=enrolment)
    assert mine.filter(status=MessageStatus.CANCELLED).count() == 6
    assert mine.filter(status=MessageStatus.SENT).count() == 1
    assert ScheduledMessage.objects.filter(enrolment=other, status=MessageStatus.PENDING).count() == 7


def test_reminders_cancel_for_a_run_reaches_participants_and_trainers(training):
    trainer = UserFactory(roles=["trainer"])
    training.trainers.add(trainer)
    reminders_schedule_for_trainer(training=training, user=trainer)
    reminders_schedule_for_enrolment(enrolment=EnrolmentFactory(training=training))
    elsewhere = EnrolmentFactory(training=TrainingFactory(meetings=2))
    reminders_schedule_for_enrolment(enrolment=elsewhere)

    assert reminders_cancel(training=training) == 12

    assert not ScheduledMessage.objects.filter(status=MessageStatus.PENDING).exclude(enrolment=elsewhere).exists()
    assert ScheduledMessage.objects.filter(enrolment=elsewhere, status=MessageStatus.PENDING).count() == 4


def test_reminders_cancel_for_one_meeting(training):
    reminders_schedule_for_enrolment(enrolment=EnrolmentFactory(training=training))
    meeting = training.meetings.get(number=2)

    assert reminders_cancel(meeting=meeting) == 1

    assert ScheduledMessage.objects.get(meeting=meeting).status == MessageStatus.CANCELLED


def test_the_recipients_language_decides_the_mail(training):
    english = due_reminder(training, language="en")
    dutch = due_reminder(training, language="nl")
    starts_at = timezone.localtime(english.meeting.starts_at)

    assert messages_send_due() == 2

    by_recipient = {email.to[0]: email for email in mail.outbox}
    english_mail = by_recipient[english.enrolment.person.email]
    dutch_mail = by_recipient[dutch.enrolment.person.email]
    with translation.override("en"):
        english_day = dateformat.format(starts_at, "l j F")
    with translation.override("nl"):
        dutch_day = dateformat.format(starts_at, "l j F")
    assert english_mail.subject == f"[Mentorwijs] Reminder: meeting 1 of Mentorwijs on {english_day}"
    assert dutch_day in dutch_mail.subject
    assert dutch_mail.subject != english_mail.subject
    assert english_mail.extra_headers["Content-Language"] == "en"
    assert dutch_mail.extra_headers["Content-Language"] == "nl"
    for email, message in ((english_mail, english), (dutch_mail, dutch)):
        assert f"/trainingen/mijn/{message.enrolment.token}/" in email.body
        assert [mimetype for _content, mimetype in email.alternatives] == ["text/html"]
        assert f"/trainingen/mijn/{message.enrolment.token}/" in email.alternatives[0][0]


def test_text_part_is_not_html_escaped(training):
    person = PersonFactory(first_name="Ans & Co")
    message = due_reminder(training, person=person)

    email = build_email(message)

    assert "Ans & Co" in email.body
    assert "Ans &amp; Co" in email.alternatives[0][0]


@pytest.mark.parametrize(
    ("kind", "slug"), [(MessageKind.EVALUATION_BEFORE, "voor"), (MessageKind.EVALUATION_AFTER, "na")]
)
def test_evaluation_request_carries_the_personal_questionnaire_link(kind, slug):
    start = timezone.now() - timedelta(hours=1) if slug == "na" else timezone.now() + timedelta(days=3)
    training = TrainingFactory(meetings=1, meetings__first_meeting=start)
    enrolment = EnrolmentFactory(training=training, language="en")
    message = ScheduledMessage.objects.create(kind=kind, enrolment=enrolment, due_at=timezone.now())

    assert messages_send_due() == 1

    email = mail.outbox[0]
    link = f"http://127.0.0.1:8000/trainingen/mijn/{enrolment.token}/evaluatie/{slug}/"
    assert link in email.body
    assert f'href="{link}"' in email.alternatives[0][0]
    assert reload(message).status == MessageStatus.SENT


def test_evaluation_request_is_not_sent_to_who_already_answered():
    training = TrainingFactory(meetings=1, meetings__first_meeting=timezone.now() + timedelta(days=3))
    enrolment = EnrolmentFactory(training=training)
    Evaluation.objects.create(
        enrolment=enrolment, moment=EvaluationMoment.BEFORE, self_efficacy={"discuss": 3}, usefulness={}
    )
    message = ScheduledMessage.objects.create(
        kind=MessageKind.EVALUATION_BEFORE, enrolment=enrolment, due_at=timezone.now()
    )

    assert messages_send_due() == 0

    assert mail.outbox == []
    assert reload(message).status == MessageStatus.CANCELLED


# --- temporary and permanent SMTP errors -----------------------------------------------------


class RaisingBackend(BaseEmailBackend):
    """An SMTP server (or the network) failing with `error`, set per test."""

    error: Exception = OSError()

    def send_messages(self, email_messages):
        raise self.error


TEMPORARY = {
    "421 service not available": smtplib.SMTPResponseException(421, b"Service not available, try later"),
    "450 mailbox busy": smtplib.SMTPSenderRefused(450, b"Mailbox busy", "noreply@mentorwijs.local"),
    "451 local error": smtplib.SMTPDataError(451, b"Local error in processing"),
    "452 storage full": smtplib.SMTPResponseException(452, b"Insufficient system storage"),
    "every recipient 4xx": smtplib.SMTPRecipientsRefused({"x@example.org": (450, b"Greylisted")}),
    "dns failure": socket.gaierror(-2, "Name or service not known"),
    "socket error": OSError(113, "No route to host"),
}
PERMANENT = {
    "554 transaction failed": smtplib.SMTPDataError(554, b"Transaction failed"),
    "553 sender refused": smtplib.SMTPSenderRefused(553, b"Sender not allowed", "noreply@mentorwijs.local"),
    "one recipient 5xx": smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such user")}),
}


@pytest.mark.parametrize("error", TEMPORARY.values(), ids=TEMPORARY.keys())
def test_temporary_smtp_and_network_errors_are_retried_later(training, settings, monkeypatch, error):
    settings.EMAIL_BACKEND = "tests.trainings.test_messages.RaisingBackend"
    monkeypatch.setattr(RaisingBackend, "error", error)
    message = due_reminder(training)
    before = timezone.now()

    assert messages_send_due() == 0

    row = reload(message)
    assert (row.status, row.attempts) == (MessageStatus.PENDING, 1)
    assert row.due_at >= before + timedelta(minutes=5)


@pytest.mark.parametrize("error", PERMANENT.values(), ids=PERMANENT.keys())
def test_permanent_smtp_errors_fail_the_row_at_once(training, settings, monkeypatch, error):
    settings.EMAIL_BACKEND = "tests.trainings.test_messages.RaisingBackend"
    monkeypatch.setattr(RaisingBackend, "error", error)
    message = due_reminder(training)

    assert messages_send_due() == 0

    row = reload(message)
    assert (row.status, row.attempts) == (MessageStatus.FAILED, 1)
    assert row.last_error.startswith(type(error).__name__)


def test_a_hung_smtp_call_times_out_before_its_row_is_handed_out_again():
    # Every wait on the SMTP server ends after EMAIL_TIMEOUT: far less than the time after which a
    # row left SENDING is handed out again (and its mail could go out a second time).
    assert STALE_AFTER.total_seconds() > django_settings.EMAIL_TIMEOUT * 2


# --- what still goes out ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", [MessageKind.MEETING_MOVED, MessageKind.MEETING_CANCELLED])
@pytest.mark.parametrize("status", [EnrolmentStatus.CANCELLED, EnrolmentStatus.DROPPED_OUT])
def test_meeting_moved_or_cancelled_is_not_sent_to_who_left(training, kind, status):
    enrolment = EnrolmentFactory(training=training, status=status)
    message = ScheduledMessage.objects.create(
        kind=kind, enrolment=enrolment, meeting=training.meetings.get(number=2), due_at=timezone.now()
    )

    assert messages_send_due() == 0

    assert mail.outbox == []
    assert reload(message).status == MessageStatus.CANCELLED


def test_after_evaluation_due_before_the_last_meeting_started_waits_for_its_end(training):
    enrolment = EnrolmentFactory(training=training)
    message = ScheduledMessage.objects.create(
        kind=MessageKind.EVALUATION_AFTER, enrolment=enrolment, due_at=timezone.now() - timedelta(minutes=1)
    )

    assert messages_send_due() == 0

    row = reload(message)
    assert mail.outbox == []
    assert (row.status, row.due_at, row.attempts) == (
        MessageStatus.PENDING,
        training.meetings.get(number=5).ends_at,
        0,
    )


def test_reminders_for_a_meeting_are_scheduled_once_for_active_participants_and_trainers(training):
    trainer = UserFactory(roles=["trainer"])
    training.trainers.add(trainer)
    enrolled = EnrolmentFactory(training=training)
    EnrolmentFactory(training=training, status=EnrolmentStatus.WAITLISTED)
    EnrolmentFactory(training=training, status=EnrolmentStatus.CANCELLED)
    second = training.meetings.get(number=2)

    reminders_schedule_for_meeting(meeting=second)
    reminders_schedule_for_meeting(meeting=second)

    rows = ScheduledMessage.objects.filter(kind=MessageKind.MEETING_REMINDER)
    assert sorted((row.meeting_id, row.enrolment_id or 0, row.user_id or 0) for row in rows) == sorted(
        [(second.pk, enrolled.pk, 0), (second.pk, 0, trainer.pk)]
    )
    assert {row.due_at for row in rows} == {second.starts_at - timedelta(days=2)}


def test_meeting_cancelled_mail_carries_the_calendar_with_that_meeting_cancelled(training):
    enrolment = EnrolmentFactory(training=training)
    second = training.meetings.get(number=2)
    second.status, second.sequence = MeetingStatus.CANCELLED, 1
    second.save()
    message = ScheduledMessage.objects.create(
        kind=MessageKind.MEETING_CANCELLED, enrolment=enrolment, meeting=second, due_at=timezone.now()
    )

    name, content, mimetype = build_email(message).attachments[0]

    events = {str(event["uid"]): event for event in Calendar.from_ical(content).walk("VEVENT")}
    cancelled = events[f"meeting-{second.pk}@mentorwijs.nl"]
    assert (name, mimetype) == ("mentorwijs.ics", "text/calendar")
    assert (str(cancelled["status"]), int(cancelled["sequence"])) == ("CANCELLED", 1)
    assert len(events) == 5
