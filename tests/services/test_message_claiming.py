"""Service mail rows on PostgreSQL: locked claims hand each row to one sender only."""

import threading
from datetime import timedelta

from django.core import mail
from django.db import connection
from django.utils import timezone

from dissemination.models import Region
from tests.factories import EnrolmentFactory, TrainingFactory
from trainings.enums import MessageKind, MessageStatus
from trainings.models import ScheduledMessage
from trainings.services.messages import messages_send_due
from trainings.tasks import send_due_messages

JOIN_TIMEOUT = 60
ROWS = 30


def due_reminders(count):
    """Reminders for the first meeting of a run, due a minute ago. Created directly, so that no
    send task is queued for the worker: only the senders under test touch them."""
    # transactional_db empties the tables after each test, the regions of the data migration too.
    Region.objects.get_or_create(name="Rivierenland")
    training = TrainingFactory(meetings=5)
    meeting = training.meetings.get(number=1)
    return [
        ScheduledMessage.objects.create(
            kind=MessageKind.MEETING_REMINDER,
            enrolment=EnrolmentFactory(training=training),
            meeting=meeting,
            due_at=timezone.now() - timedelta(minutes=1),
        )
        for _ in range(count)
    ]


def test_two_senders_at_the_same_moment_send_each_due_row_once(transactional_db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    rows = due_reminders(ROWS)
    barrier = threading.Barrier(2, timeout=10)
    outcomes = {}

    def send(name):
        try:
            # Each thread has its own database connection (Django's are per thread).
            barrier.wait()
            outcomes[name] = messages_send_due()
        except Exception as error:  # recorded and asserted below
            outcomes[name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert [thread.is_alive() for thread in threads] == [False, False]

    assert sorted(outcomes) == ["first", "second"]
    assert all(isinstance(sent, int) for sent in outcomes.values()), outcomes
    assert outcomes["first"] + outcomes["second"] == ROWS
    recipients = sorted(email.to[0] for email in mail.outbox)
    assert recipients == sorted(row.enrolment.person.email for row in rows)
    message_ids = {email.extra_headers["Message-ID"] for email in mail.outbox}
    assert message_ids == {f"<trainings-message-{row.pk}@mentorwijs.nl>" for row in rows}
    assert ScheduledMessage.objects.filter(status=MessageStatus.SENT, attempts=1).count() == ROWS


def test_the_worker_sends_a_due_row_when_the_periodic_task_runs(transactional_db, wait_for, worker_mail):
    [row] = due_reminders(1)
    later = ScheduledMessage.objects.create(
        kind=MessageKind.MEETING_REMINDER,
        enrolment=row.enrolment,
        meeting=row.meeting.training.meetings.get(number=2),
        due_at=timezone.now() + timedelta(days=3),
    )

    send_due_messages.delay()

    sent = wait_for(
        lambda: ScheduledMessage.objects.filter(pk=row.pk, status=MessageStatus.SENT).first(),
        "the worker to send the due reminder",
    )
    assert sent.message_id == f"<trainings-message-{row.pk}@mentorwijs.nl>"
    [(recipients, message)] = worker_mail.received()
    assert recipients == [row.enrolment.person.email]
    assert message["Message-ID"] == sent.message_id
    assert message.get_body(preferencelist=("html",)).get_content().strip()
    assert message.get_body(preferencelist=("plain",)).get_content().strip()
    assert ScheduledMessage.objects.get(pk=later.pk).status == MessageStatus.PENDING
    assert mail.outbox == []
