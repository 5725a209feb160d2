"""Newsletter campaigns on PostgreSQL, Redis and a real worker; concurrent batches against a real SMTP sink.

The session's worker (tests/services/conftest.py) runs with the embedded mail default, the database
outbox (CaughtMail), and its settings are fixed when the session starts, so it cannot be pointed at
an SMTP server started by one test. The worker test therefore checks the real task path (Redis → worker
→ PostgreSQL rows → outbox); the concurrency test runs deliveries_send_batch in two threads of this
process against an aiosmtpd server on loopback, over real SMTP connections.
"""

import socket
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from dissemination.enums import DeliveryStatus, NewsletterStatus, SubscriberStatus
from dissemination.models import Delivery, MailingList, Newsletter, Region, Subscriber
from dissemination.services.newsletters import deliveries_send_batch, newsletter_schedule, newsletter_start
from mentorwijs.outbox.models import CaughtMail
from tests.factories import NewsletterFactory
from tests.services.threads import at_once

SUBSCRIBERS = 30
BATCH = 7


def campaign(count=SUBSCRIBERS):
    # transactional_db empties the tables after each test, the regions of the data migration too.
    Region.objects.get_or_create(name="Rivierenland")
    news = MailingList.objects.create(name="Nieuws")
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(email=f"lezer{number}@example.org", name=f"Lezer {number}", status=SubscriberStatus.CONFIRMED)
        for number in range(count)
    )
    Subscriber.lists.through.objects.bulk_create(
        Subscriber.lists.through(subscriber_id=subscriber.pk, mailinglist_id=news.pk) for subscriber in subscribers
    )
    return NewsletterFactory(lists=[news]), subscribers


class Sink:
    """An SMTP server's handler that keeps every message and the session it came over."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        self.sessions = set()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
            self.sessions.add(id(session))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield sink
    controller.stop()


def test_the_worker_sends_a_campaign_once_to_every_subscriber(transactional_db, wait_for):
    newsletter, subscribers = campaign()

    newsletter_schedule(newsletter=newsletter)  # queues the start on commit (autocommit here: at once)

    wait_for(
        lambda: Newsletter.objects.filter(pk=newsletter.pk, status=NewsletterStatus.SENT).exists(),
        "the worker to send the whole campaign",
    )
    caught = [mail.parsed() for mail in CaughtMail.objects.all()]
    assert sorted(message["To"] for message in caught) == sorted(subscriber.email for subscriber in subscribers)
    expected = {f"<newsletter-{newsletter.pk}-{subscriber.pk}@mentorwijs.nl>" for subscriber in subscribers}
    assert {message["Message-ID"] for message in caught} == expected
    assert all(message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for message in caught)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT, attempts=1).count() == SUBSCRIBERS


def test_two_senders_at_once_deliver_each_message_once_over_smtp(transactional_db, smtp_sink):
    newsletter, subscribers = campaign()
    Newsletter.objects.filter(pk=newsletter.pk).update(status=NewsletterStatus.SCHEDULED, scheduled_at=timezone.now())
    assert newsletter_start(newsletter_id=newsletter.pk)

    def send_all(_name):
        batches = []
        while True:
            result = deliveries_send_batch(newsletter_id=newsletter.pk, limit=BATCH)
            if result.claimed == 0:
                return batches
            batches.append(result.sent)

    outcomes = at_once(send_all, ["first", "second"])

    assert all(isinstance(batches, list) for batches in outcomes.values()), outcomes
    batches = [sent for name in outcomes for sent in outcomes[name]]
    assert sum(batches) == SUBSCRIBERS
    assert max(batches) <= BATCH
    recipients = sorted(rcpt for rcpt_tos, _message in smtp_sink.messages for rcpt in rcpt_tos)
    assert recipients == sorted(subscriber.email for subscriber in subscribers)
    message_ids = [message["Message-ID"] for _rcpt_tos, message in smtp_sink.messages]
    assert sorted(message_ids) == sorted(
        f"<newsletter-{newsletter.pk}-{subscriber.pk}@mentorwijs.nl>" for subscriber in subscribers
    )
    assert len(smtp_sink.sessions) == len(batches)  # one SMTP connection per batch
    assert Delivery.objects.filter(status=DeliveryStatus.SENT, attempts=1).count() == SUBSCRIBERS
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENT


class Greylisting(Sink):
    """Refuses one recipient for now (450 to RCPT), as greylisting does; accepts the others."""

    def __init__(self, refused):
        super().__init__()
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "450 4.2.0 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_one_greylisted_recipient_goes_back_and_the_batch_goes_on_over_one_connection(
    transactional_db, smtp_sink, settings
):
    newsletter, subscribers = campaign(count=5)
    refused = subscribers[1]
    greylisting = Greylisting(refused.email)
    controller = Controller(greylisting, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.EMAIL_PORT = controller.port  # the SMTP settings of smtp_sink, this server's port
        Newsletter.objects.filter(pk=newsletter.pk).update(
            status=NewsletterStatus.SCHEDULED, scheduled_at=timezone.now()
        )
        assert newsletter_start(newsletter_id=newsletter.pk)

        result = deliveries_send_batch(newsletter_id=newsletter.pk)
    finally:
        controller.stop()

    assert (result.sent, result.deferred, result.retry_later) == (4, 1, False)
    recipients = sorted(rcpt for rcpt_tos, _message in greylisting.messages for rcpt in rcpt_tos)
    assert recipients == sorted(subscriber.email for subscriber in subscribers if subscriber != refused)
    assert len(greylisting.sessions) == 1
    row = Delivery.objects.get(subscriber=refused)
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 1)
    assert "450" in row.last_error
