"""Newsletter campaigns on PostgreSQL, Redis and a real worker that sends to a real SMTP server on loopback.

The worker test follows the whole path: the schedule queues the start through Redis, the worker
splits the audience into batches and sends them over SMTP to the session's aiosmtpd server, where
every message is checked. The concurrency tests run deliveries_send_batch in threads of this process
against servers of their own, to control timing and refusals.
"""

import pytest
from django.utils import timezone

from dissemination.enums import DeliveryStatus, NewsletterStatus, SubscriberStatus
from dissemination.models import Delivery, MailingList, Newsletter, Region, Subscriber
from dissemination.services.newsletters import deliveries_send_batch, newsletter_schedule, newsletter_start
from tests.factories import NewsletterFactory
from tests.services import smtp
from tests.services.conftest import NEWSLETTER_BATCH_SIZE
from tests.services.threads import at_once

SUBSCRIBERS = 30
BATCH = 6


def campaign(count=SUBSCRIBERS):
    # transactional_db empties the tables after each test, the regions of the data migration too.
    Region.objects.get_or_create(name="Rivierenland")
    news = MailingList.objects.create(name="Nieuws")
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(
            email=f"lezer{number}@example.org",
            name=f"Lezer{number} de Vries",
            first_name=f"Lezer{number}",
            status=SubscriberStatus.CONFIRMED,
        )
        for number in range(count)
    )
    Subscriber.lists.through.objects.bulk_create(
        Subscriber.lists.through(subscriber_id=subscriber.pk, mailinglist_id=news.pk) for subscriber in subscribers
    )
    return NewsletterFactory(lists=[news]), subscribers


@pytest.fixture
def smtp_sink(settings):
    sink = smtp.Sink()
    controller = smtp.start(sink)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield sink
    controller.stop()


def test_the_worker_sends_a_campaign_once_to_every_subscriber_over_smtp(transactional_db, wait_for, worker_mail):
    newsletter, subscribers = campaign()

    newsletter_schedule(newsletter=newsletter)  # queues the start on commit (autocommit here: at once)

    wait_for(
        lambda: Newsletter.objects.filter(pk=newsletter.pk, status=NewsletterStatus.SENT).exists(),
        "the worker to send the whole campaign",
    )
    received = worker_mail.received()
    by_recipient = {rcpt: message for rcpt_tos, message in received for rcpt in rcpt_tos}
    assert len(received) == SUBSCRIBERS  # one message each, no copies
    assert sorted(by_recipient) == sorted(subscriber.email for subscriber in subscribers)
    for subscriber in subscribers:
        message = by_recipient[subscriber.email]
        assert message["To"] == subscriber.email
        assert message["Subject"] == newsletter.subject
        assert message["Message-ID"] == f"<newsletter-{newsletter.pk}-{subscriber.pk}@mentorwijs.nl>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        https_link, mailto = (part.strip(" <>") for part in message["List-Unsubscribe"].split(","))
        assert https_link.startswith("http")
        assert "/nieuwsbrief/afmelden/" in https_link
        assert mailto.startswith("mailto:")
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert f"Hallo {subscriber.first_name}," in text  # the first name, personal
        assert https_link in text
        assert https_link.replace("&", "&amp;") in html
    links = {message["List-Unsubscribe"] for message in by_recipient.values()}
    assert len(links) == SUBSCRIBERS  # personal links, not one shared link
    assert len(worker_mail.sessions) == -(-SUBSCRIBERS // NEWSLETTER_BATCH_SIZE)  # one connection per batch
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


def test_one_greylisted_recipient_goes_back_and_the_batch_goes_on_over_one_connection(
    transactional_db, smtp_sink, settings
):
    newsletter, subscribers = campaign(count=5)
    refused = subscribers[1]
    greylisting = smtp.Greylisting(refused.email)
    controller = smtp.start(greylisting)
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
