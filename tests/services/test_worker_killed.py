"""A worker killed (SIGKILL) while it sends reminders: no reminder is lost, and the one it was sending
goes out at most once more, with the same Message-ID, once the row counts as stale (STALE_AFTER).

The SMTP server here keeps the first message and then holds back its "250 OK" until released, so the
worker is killed after the server has the message but before the worker marked the row SENT: the
worst moment. A private Redis and private workers are used; the session's are never killed."""

import asyncio
import threading
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from dissemination.models import Region
from mentorwijs.celery import app as celery_app
from tests.factories import EnrolmentFactory, TrainingFactory
from tests.services import smtp
from tests.services.private import RedisServer, start_worker, use_broker, wait_until
from trainings.enums import MessageKind, MessageStatus
from trainings.models import ScheduledMessage
from trainings.services.messages import STALE_AFTER
from trainings.tasks import send_due_messages

ROWS = 5
STALL_TIMEOUT = 30  # seconds the server holds back its reply at most


class StallingSink(smtp.Sink):
    """Keeps every message; answers the first DATA only when `release` is set (or after STALL_TIMEOUT)."""

    def __init__(self):
        super().__init__()
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        await super().handle_DATA(server, session, envelope)
        if not self.stalled.is_set():
            self.stalled.set()
            for _ in range(int(STALL_TIMEOUT / 0.05)):
                if self.release.is_set():
                    break
                await asyncio.sleep(0.05)
        return "250 OK"


@pytest.fixture
def stalling_smtp():
    sink = StallingSink()
    controller = smtp.start(sink)
    yield sink, controller.port
    sink.release.set()
    controller.stop()


@pytest.fixture
def private_broker(monkeypatch):
    server = RedisServer(smtp.free_port())
    server.start()
    use_broker(monkeypatch, server.url)
    yield server.url
    celery_app.pool.force_close_all()
    server.stop()


def test_a_worker_killed_mid_send_loses_no_reminder_and_repeats_at_most_the_one_it_was_sending(
    transactional_db, private_broker, stalling_smtp
):
    sink, port = stalling_smtp
    Region.objects.get_or_create(name="Rivierenland")
    training = TrainingFactory(meetings=5)
    meeting = training.meetings.get(number=1)
    rows = [
        ScheduledMessage.objects.create(
            kind=MessageKind.MEETING_REMINDER,
            enrolment=EnrolmentFactory(training=training),
            meeting=meeting,
            due_at=timezone.now() - timedelta(minutes=1),
        )
        for _ in range(ROWS)
    ]

    first = start_worker(broker_url=private_broker, smtp_port=port, name="killed")
    try:
        send_due_messages.delay()
        assert sink.stalled.wait(timeout=60), first.tail()
        first.process.kill()  # SIGKILL: no warm shutdown, no chance to mark the row SENT
        first.process.wait(timeout=10)
    finally:
        first.stop()

    [sending] = ScheduledMessage.objects.filter(status=MessageStatus.SENDING)
    assert ScheduledMessage.objects.filter(status=MessageStatus.PENDING).count() == ROWS - 1
    assert len(sink.received()) == 1  # the server has the message the worker was sending
    sink.release.set()

    second = start_worker(broker_url=private_broker, smtp_port=port, name="after-kill")
    try:
        # Beat's next run: the rows not begun go out; the claimed row is not stale yet and waits.
        send_due_messages.delay()
        wait_until(
            lambda: ScheduledMessage.objects.filter(status=MessageStatus.SENT).count() == ROWS - 1,
            "the other reminders to be sent",
            second,
        )
        assert ScheduledMessage.objects.get(pk=sending.pk).status == MessageStatus.SENDING

        # STALE_AFTER later, the row the dead worker left is handed back and sent again.
        ScheduledMessage.objects.filter(pk=sending.pk).update(claimed_at=F("claimed_at") - STALE_AFTER)
        send_due_messages.delay()
        wait_until(
            lambda: ScheduledMessage.objects.filter(status=MessageStatus.SENT).count() == ROWS,
            "the stale reminder to be sent again",
            second,
        )
    finally:
        second.stop()

    received = sink.received()
    message_ids = sorted(message["Message-ID"] for _to, message in received)
    expected = sorted(f"<trainings-message-{row.pk}@mentorwijs.nl>" for row in rows)
    repeated = f"<trainings-message-{sending.pk}@mentorwijs.nl>"
    assert message_ids == sorted([*expected, repeated])  # every reminder; only the one being sent twice
    assert ScheduledMessage.objects.get(pk=sending.pk).attempts == 2
