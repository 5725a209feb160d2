"""Broker down: the public enrolment and the newsletter sign-up still succeed while Redis is stopped,
and their mail leaves once it is back, because the mail is a row in the database (ScheduledMessage,
Subscriber.confirmation_request), not an on-commit callback that was lost.

The session's Redis is shared, so this test starts a private redis-server of its own, points the web
side (this process) and a second, private Celery worker at it, stops it, posts, starts it again on the
same port and lets beat's periodic tasks run through that worker. The worker mails over SMTP to the
session's sink (`worker_mail`)."""

import logging
import time
from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from dissemination.enums import SubscriberStatus
from dissemination.models import Region, Subscriber
from dissemination.services.subscriptions import CONFIRMATION_SWEEP_GRACE
from dissemination.tasks import send_pending_confirmations
from mentorwijs.celery import app as celery_app
from tests.factories import MailingListFactory, OrganisationFactory, TrainingFactory
from tests.services import smtp
from tests.services.private import RedisServer, start_worker, use_broker, wait_until
from trainings.enums import MessageKind, MessageStatus
from trainings.models import Enrolment, ScheduledMessage
from trainings.tasks import send_due_messages

POST_TIMEOUT = 15  # seconds a request may take while the broker is down (kombu retries briefly)


@pytest.fixture
def private_redis():
    server = RedisServer(smtp.free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def web_broker(private_redis, monkeypatch):
    """This process publishes to the private Redis for the length of the test."""
    use_broker(monkeypatch, private_redis.url)
    yield private_redis.url
    celery_app.pool.force_close_all()  # then monkeypatch puts the session's pools back


@pytest.fixture
def private_worker(web_broker, transactional_db, smtp_server):
    """A second worker on the private Redis and the test database, mailing to the session's sink."""
    worker = start_worker(broker_url=web_broker, smtp_port=smtp_server[1], name="broker-down")
    yield worker
    worker.stop()


def test_enrolment_and_sign_up_succeed_while_the_broker_is_down_and_mail_once_it_is_back(
    client, private_redis, private_worker, worker_mail, caplog
):
    Region.objects.get_or_create(name="Rivierenland")  # transactional_db empties the data migration's rows
    training = TrainingFactory(meetings=5)
    organisation = OrganisationFactory(public_since=timezone.now())  # the public form picks only public ones
    newsletter = MailingListFactory(name="Werkgevers")

    private_redis.stop()
    assert not private_redis.answers()

    started = time.monotonic()
    caplog.set_level(logging.ERROR, logger="django.db.backends.base")
    enrolled = client.post(
        reverse("trainings:public_enrol", kwargs={"pk": training.pk}),
        {
            "first_name": "Anna",
            "last_name": "de Vries",
            "email": "anna@example.org",
            "organisation_name": organisation.name,
            "organisation": organisation.pk,
            "consent": "on",
        },
    )
    signed_up = client.post(
        reverse("newsletter:signup"), {"email": "bert@example.org", "first_name": "Bert", "lists": [newsletter.pk]}
    )
    assert time.monotonic() - started < 2 * POST_TIMEOUT
    # Both services did try to queue their mail on commit; the failure was logged, not raised.
    failed = [record for record in caplog.records if "on_commit" in record.getMessage()]
    assert len(failed) >= 2

    # Both requests succeed and their rows are stored; no mail left (the queued tasks are lost).
    assert enrolled.status_code == 302
    assert enrolled.url == reverse("trainings:public_enrolled", kwargs={"pk": training.pk})
    assert signed_up.status_code == 302
    assert signed_up.url == reverse("newsletter:signup_done")
    enrolment = Enrolment.objects.get(person__email="anna@example.org", training=training)
    due = ScheduledMessage.objects.filter(enrolment=enrolment, due_at__lte=timezone.now())
    assert MessageKind.ENROLMENT_CONFIRMED in set(due.values_list("kind", flat=True))
    assert set(due.values_list("status", flat=True)) == {MessageStatus.PENDING}
    due_ids = sorted(due.values_list("pk", flat=True))
    subscriber = Subscriber.objects.get(email="bert@example.org")
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.confirmation_request["lists"] == [newsletter.pk]
    assert worker_mail.received() == []

    # Redis comes back on the same port, empty (no persistence): whatever was queued is gone.
    private_redis.start()
    # The sweep leaves requests younger than its grace to their own task; pretend that time passed.
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmation_sent_at=F("confirmation_sent_at") - CONFIRMATION_SWEEP_GRACE - timedelta(seconds=1)
    )
    # What beat does every minute and every five minutes, through the same (recovered) broker.
    send_due_messages.delay()
    send_pending_confirmations.delay()

    wait_until(
        lambda: (
            ScheduledMessage.objects.filter(pk__in=due_ids, status=MessageStatus.SENT).count() == len(due_ids)
            and not Subscriber.objects.filter(pk=subscriber.pk, confirmation_request__isnull=False).exists()
        ),
        "the worker to send the enrolment mail and the newsletter confirmation",
        private_worker,
    )
    received = worker_mail.received()
    assert sorted(
        message["Message-ID"] for recipients, message in received if recipients == ["anna@example.org"]
    ) == sorted(f"<trainings-message-{pk}@mentorwijs.nl>" for pk in due_ids)
    [(_to, confirm)] = [(to, message) for to, message in received if to == ["bert@example.org"]]
    assert "/nieuwsbrief/bevestigen/" in confirm.get_body(("plain",)).get_content()
    assert len(received) == len(due_ids) + 1

    # Beat running again sends nothing twice.
    send_due_messages.delay()
    send_pending_confirmations.delay()
    sent_before = len(worker_mail.received())
    marker = send_due_messages.delay()
    wait_until(
        lambda: marker.id in private_worker.succeeded(), "the worker to run the periodic tasks again", private_worker
    )
    assert len(worker_mail.received()) == sent_before == len(due_ids) + 1
