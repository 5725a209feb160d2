"""Newsletter campaigns: compose, audience, start, batches, headers, test send, cancel, pages."""

import re
import smtplib
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone

from dissemination import newsletter_mail
from dissemination.enums import DeliveryStatus, NewsletterStatus, SubscriberStatus, TargetGroup
from dissemination.models import Delivery, MailingList, Newsletter, Region, Subscriber, first_name_of
from dissemination.services import newsletters
from dissemination.services.newsletters import (
    BATCH_TIME_LIMIT,
    MAX_ATTEMPTS,
    PARALLEL_SENDERS,
    RETRY_AFTER,
    STALE_AFTER,
    audience,
    deliveries_send_batch,
    newsletter_cancel,
    newsletter_save,
    newsletter_schedule,
    newsletter_start,
    newsletters_start_due,
)
from dissemination.tasks import send_newsletter_batch, start_due_newsletters
from dissemination.tokens import preferences_url, unsubscribe_token, unsubscribe_url
from mentorwijs.mail import MAIL_HTML_POLICY
from tests.factories import NewsletterFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_subscriber(email, *, lists, status=SubscriberStatus.CONFIRMED, name="", **kwargs):
    kwargs.setdefault("first_name", first_name_of(name))
    subscriber = Subscriber.objects.create(email=email, name=name, status=status, **kwargs)
    subscriber.lists.set(lists)
    return subscriber


@pytest.fixture
def news():
    return MailingList.objects.create(name="Nieuws")


@pytest.fixture
def employers_list():
    return MailingList.objects.create(name="Werkgevers")


def started(newsletter):
    """Schedule a campaign for a minute ago and start it."""
    Newsletter.objects.filter(pk=newsletter.pk).update(
        status=NewsletterStatus.SCHEDULED, scheduled_at=timezone.now() - timedelta(minutes=1)
    )
    assert newsletter_start(newsletter_id=newsletter.pk) is True
    newsletter.refresh_from_db()
    return newsletter


@pytest.fixture
def campaign(news):
    """A started campaign to three confirmed subscribers."""
    subscribers = [
        make_subscriber("ans@example.org", lists=[news], name="Ans de Vries"),
        make_subscriber("bram@example.org", lists=[news]),
        make_subscriber("cor@example.org", lists=[news], name="Cor"),
    ]
    newsletter = started(NewsletterFactory(lists=[news]))
    return newsletter, subscribers


# Headers and content ------------------------------------------------------------------------------


def test_every_newsletter_carries_its_message_id_and_both_unsubscribe_forms(campaign, mailoutbox):
    newsletter, subscribers = campaign
    result = deliveries_send_batch(newsletter_id=newsletter.pk)

    assert result.sent == 3
    by_address = {message.to[0]: message for message in mailoutbox}
    assert sorted(by_address) == sorted(subscriber.email for subscriber in subscribers)
    for subscriber in subscribers:
        message = by_address[subscriber.email]
        headers = message.message()
        assert headers["Message-ID"] == f"<newsletter-{newsletter.pk}-{subscriber.pk}@mentorwijs.nl>"
        mailto = f"mailto:{settings.UNSUBSCRIBE_MAILTO}?subject=unsubscribe-{unsubscribe_token(subscriber)}"
        assert headers["List-Unsubscribe"] == f"<{unsubscribe_url(subscriber)}>, <{mailto}>"
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert headers["Content-Language"] == settings.LANGUAGE_CODE
        assert message.subject == newsletter.subject
        html = message.alternatives[0][0]
        assert unsubscribe_url(subscriber) in message.body
        assert preferences_url(subscriber) in message.body
        assert preferences_url(subscriber) in html
        assert "<strong>maart</strong>" in html
    assert by_address["ans@example.org"].body.startswith("Hallo Ans,\n")  # the first name only
    assert "de Vries" not in by_address["ans@example.org"].body
    assert by_address["cor@example.org"].body.startswith("Hallo Cor,\n")
    assert by_address["bram@example.org"].body.startswith("Hallo,\n")  # no name: a greeting without one
    assert set(Delivery.objects.values_list("message_id", flat=True)) == {
        f"<newsletter-{newsletter.pk}-{subscriber.pk}@mentorwijs.nl>" for subscriber in subscribers
    }


def test_the_body_is_sanitised_and_a_name_is_escaped_in_the_html(news, mailoutbox):
    make_subscriber("eve@example.org", lists=[news], name="<b>Eve</b>")
    newsletter = started(
        NewsletterFactory(
            lists=[news], body='Hoi <script>alert(1)</script> [klik](javascript:alert(1)) <img src=x onerror="y">'
        )
    )
    deliveries_send_batch(newsletter_id=newsletter.pk)

    [message] = mailoutbox
    html = message.alternatives[0][0]
    assert "<script>" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "<b>Eve</b>" not in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html


def test_a_campaign_is_rendered_once_for_all_its_batches(news, monkeypatch, mailoutbox):
    for number in range(5):
        make_subscriber(f"s{number}@example.org", lists=[news], name=f"Naam {number}")
    newsletter = started(NewsletterFactory(lists=[news]))
    calls = []
    original = newsletter_mail.body_html
    monkeypatch.setattr(newsletter_mail, "body_html", lambda body: calls.append(body) or original(body))
    newsletter_mail._render.cache_clear()

    for _ in range(3):
        deliveries_send_batch(newsletter_id=newsletter.pk, limit=2)

    assert len(mailoutbox) == 5
    assert len(calls) == 1


# The fast path over SMTP: serialized once, personal parts filled in ------------------------------------


class RecordingSMTP:
    """Stands in for smtplib.SMTP under Django's SMTP backend: records every sendmail call; refuses the
    recipients in `refuse` with the given reply, as a server does at RCPT."""

    sent = []
    refuse = {}

    def __init__(self, host, port, **kwargs):
        pass

    def sendmail(self, from_addr, to_addrs, msg):
        if to_addrs[0] in self.refuse:
            raise smtplib.SMTPRecipientsRefused({to_addrs[0]: self.refuse[to_addrs[0]]})
        self.sent.append((from_addr, list(to_addrs), bytes(msg)))
        return {}

    def quit(self):
        pass


@pytest.fixture
def fake_smtp(settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    monkeypatch.setattr(RecordingSMTP, "sent", [])
    monkeypatch.setattr(RecordingSMTP, "refuse", {})
    return RecordingSMTP


def parsed(data: bytes):
    return message_from_bytes(data, policy=policy.default)


def normalized(data: bytes) -> bytes:
    return re.sub(rb"^Date: [^\r]*", b"Date: -", re.sub(rb"={15}\d+==", b"BOUNDARY", data), flags=re.M)


COMPARED_HEADERS = (
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "To",
    "From",
    "Subject",
    "Content-Language",
    "MIME-Version",
)


def test_the_fast_path_sends_what_the_slow_path_would(news, fake_smtp, monkeypatch):
    subscribers = [
        make_subscriber("ans@example.org", lists=[news], name="Ans de Vries"),
        make_subscriber("bram@example.org", lists=[news]),
        make_subscriber("eve@example.org", lists=[news], name="Eve O'Neil", first_name="<b>Eve</b>&O'Neil"),
        make_subscriber("zoe@example.org", lists=[news], name="Zoë Ünal"),  # the slow path
    ]
    newsletter = started(NewsletterFactory(lists=[news], body="Nieuws uit **maart**: één overzicht."))
    slow = []
    original = newsletter_mail.build_message
    monkeypatch.setattr(
        newsletter_mail, "build_message", lambda **kwargs: slow.append(kwargs["subscriber"].email) or original(**kwargs)
    )

    result = deliveries_send_batch(newsletter_id=newsletter.pk)

    assert result.sent == 4
    assert slow == ["zoe@example.org"]
    by_address = {to[0]: (sender, data) for sender, to, data in fake_smtp.sent}
    assert sorted(by_address) == sorted(subscriber.email for subscriber in subscribers)
    rendered = newsletter_mail.render_campaign(subject=newsletter.subject, body=newsletter.body)
    for subscriber in subscribers:
        sender, data = by_address[subscriber.email]
        expected = original(rendered=rendered, newsletter_id=newsletter.pk, subscriber=subscriber)
        assert sender == expected.from_email
        slow_data = expected.message().as_bytes(linesep="\r\n")
        assert normalized(data) == normalized(slow_data)  # byte for byte, but for Date and MIME boundary
        fast, slow_message = parsed(data), parsed(slow_data)
        assert sorted(fast.keys()) == sorted(slow_message.keys())
        for name in COMPARED_HEADERS:
            assert str(fast[name]) == str(slow_message[name]), name
        assert fast["Date"]
        assert fast.get_content_type() == slow_message.get_content_type() == "multipart/alternative"
        for kind in ("plain", "html"):
            fast_part, slow_part = fast.get_body((kind,)), slow_message.get_body((kind,))
            assert fast_part.get_content() == slow_part.get_content()
            assert fast_part["Content-Transfer-Encoding"] == slow_part["Content-Transfer-Encoding"]
    eve = parsed(by_address["eve@example.org"][1])
    assert "&lt;b&gt;Eve&lt;/b&gt;&amp;O&#x27;Neil" in eve.get_body(("html",)).get_content()
    assert "<b>Eve</b>&O'Neil" in eve.get_body(("plain",)).get_content()
    assert set(Delivery.objects.values_list("message_id", flat=True)) == {
        f"<newsletter-{newsletter.pk}-{subscriber.pk}@mentorwijs.nl>" for subscriber in subscribers
    }


def test_the_fast_path_keeps_the_refusals_apart(campaign, fake_smtp):
    newsletter, (ans, bram, cor) = campaign
    fake_smtp.refuse = {"bram@example.org": (450, b"4.2.0 greylisted"), "cor@example.org": (550, b"no such user")}

    result = deliveries_send_batch(newsletter_id=newsletter.pk)

    assert (result.sent, result.deferred, result.failed, result.retry_later) == (1, 1, 1, False)
    assert [to for _sender, to, _data in fake_smtp.sent] == [["ans@example.org"]]
    assert Delivery.objects.get(subscriber=bram).status == DeliveryStatus.PENDING
    assert Delivery.objects.get(subscriber=cor).status == DeliveryStatus.FAILED


def test_what_plain_replacement_cannot_do_takes_the_slow_path():
    rendered = newsletter_mail.render_campaign(subject="Nieuws", body="Hallo")
    plain = Subscriber(pk=7, email="ans@example.org", first_name="Ans")
    assert newsletter_mail.build_raw_message(rendered=rendered, newsletter_id=1, subscriber=plain) is not None
    for odd in (
        Subscriber(pk=7, email="ans@example.org", first_name="Zoë"),  # would need 8bit where the body is 7bit
        Subscriber(pk=7, email="ans@example.org", first_name="A" * 1000),  # a line past 998: quoted-printable
        Subscriber(pk=7, email="zoë@example.org", first_name="Ans"),  # an address to encode
        Subscriber(pk=7, email='"a b"@example.org', first_name="Ans"),
    ):
        assert newsletter_mail.build_raw_message(rendered=rendered, newsletter_id=1, subscriber=odd) is None
    long_line = newsletter_mail.render_campaign(subject="Nieuws", body="x" * 1200)  # quoted-printable body
    assert newsletter_mail.build_raw_message(rendered=long_line, newsletter_id=1, subscriber=plain) is None


# Audience and start -------------------------------------------------------------------------------


def test_the_audience_is_confirmed_subscribers_on_any_chosen_list_once(news, employers_list):
    other = MailingList.objects.create(name="Scholen")
    on_news = make_subscriber("a@example.org", lists=[news])
    on_both = make_subscriber("b@example.org", lists=[news, employers_list])
    make_subscriber("pending@example.org", lists=[news], status=SubscriberStatus.PENDING)
    make_subscriber("gone@example.org", lists=[news], status=SubscriberStatus.UNSUBSCRIBED)
    make_subscriber("bounced@example.org", lists=[news], status=SubscriberStatus.BOUNCED)
    make_subscriber("complained@example.org", lists=[news], status=SubscriberStatus.COMPLAINED)
    make_subscriber("other@example.org", lists=[other])
    newsletter = NewsletterFactory(lists=[news, employers_list])

    assert sorted(audience(newsletter).values_list("pk", flat=True)) == sorted([on_news.pk, on_both.pk])


def test_target_groups_and_regions_narrow_the_audience(news):
    rivierenland = Region.objects.get(name="Rivierenland")
    elsewhere = Region.objects.create(name="Elders")
    employer_here = make_subscriber(
        "w1@example.org", lists=[news], target_group=TargetGroup.EMPLOYERS, region=rivierenland
    )
    make_subscriber("w2@example.org", lists=[news], target_group=TargetGroup.EMPLOYERS, region=elsewhere)
    school_here = make_subscriber("s1@example.org", lists=[news], target_group=TargetGroup.SCHOOLS, region=rivierenland)
    make_subscriber("none@example.org", lists=[news], region=rivierenland)

    newsletter = NewsletterFactory(lists=[news])
    newsletter.target_groups = [TargetGroup.EMPLOYERS, TargetGroup.SCHOOLS]
    newsletter.save()
    newsletter.regions.set([rivierenland])

    assert sorted(audience(newsletter).values_list("pk", flat=True)) == sorted([employer_here.pk, school_here.pk])


def test_starting_twice_creates_one_delivery_per_subscriber(news):
    subscribers = [make_subscriber(f"s{number}@example.org", lists=[news]) for number in range(4)]
    newsletter = started(NewsletterFactory(lists=[news]))

    assert newsletter.status == NewsletterStatus.SENDING
    Newsletter.objects.filter(pk=newsletter.pk).update(status=NewsletterStatus.SCHEDULED)
    assert newsletter_start(newsletter_id=newsletter.pk) is True  # even when made to run again
    assert newsletter_start(newsletter_id=newsletter.pk) is False
    assert sorted(Delivery.objects.values_list("subscriber_id", flat=True)) == sorted(s.pk for s in subscribers)


def test_a_campaign_is_not_started_before_its_time(news):
    make_subscriber("a@example.org", lists=[news])
    newsletter = NewsletterFactory(lists=[news])
    newsletter_schedule(newsletter=newsletter, at=timezone.now() + timedelta(hours=2))

    assert newsletters_start_due() == []
    assert newsletter_start(newsletter_id=newsletter.pk) is False
    assert Delivery.objects.count() == 0


# Batches ------------------------------------------------------------------------------------------


def test_a_batch_run_twice_sends_nothing_twice(campaign, mailoutbox):
    newsletter, subscribers = campaign

    first = deliveries_send_batch(newsletter_id=newsletter.pk)
    second = deliveries_send_batch(newsletter_id=newsletter.pk)

    assert (first.sent, second.sent, second.claimed) == (3, 0, 0)
    assert len(mailoutbox) == 3
    assert Delivery.objects.filter(status=DeliveryStatus.SENT, attempts=1).count() == 3
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENT
    assert newsletter.finished_at is not None


def test_batches_share_out_the_campaign_by_the_limit(news, mailoutbox):
    for number in range(5):
        make_subscriber(f"s{number}@example.org", lists=[news])
    newsletter = started(NewsletterFactory(lists=[news]))

    sent = [deliveries_send_batch(newsletter_id=newsletter.pk, limit=2).sent for _ in range(4)]

    assert sent == [2, 2, 1, 0]
    assert len({message.extra_headers["Message-ID"] for message in mailoutbox}) == 5


def test_the_batch_size_setting_limits_a_batch(campaign, settings, mailoutbox):
    settings.NEWSLETTER_BATCH_SIZE = 2
    newsletter, _subscribers = campaign

    assert deliveries_send_batch(newsletter_id=newsletter.pk).sent == 2
    assert len(mailoutbox) == 2


def test_who_left_after_the_start_is_skipped(campaign, employers_list, mailoutbox):
    newsletter, (ans, bram, cor) = campaign
    Subscriber.objects.filter(pk=ans.pk).update(status=SubscriberStatus.UNSUBSCRIBED)
    Subscriber.objects.filter(pk=bram.pk).update(status=SubscriberStatus.BOUNCED)
    cor.lists.set([employers_list])  # left the campaign's list on the preference page

    result = deliveries_send_batch(newsletter_id=newsletter.pk)

    assert (result.sent, result.skipped) == (0, 3)
    assert mailoutbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SKIPPED}
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENT


def test_stale_rows_are_handed_back_and_fresh_ones_are_left_alone(campaign, mailoutbox):
    newsletter, (ans, bram, _cor) = campaign
    now = timezone.now()
    Delivery.objects.filter(subscriber=ans).update(
        status=DeliveryStatus.SENDING, claimed_at=now - STALE_AFTER - timedelta(seconds=1), attempts=1
    )
    Delivery.objects.filter(subscriber=bram).update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=1)

    result = deliveries_send_batch(newsletter_id=newsletter.pk)

    assert result.sent == 2
    assert sorted(message.to[0] for message in mailoutbox) == ["ans@example.org", "cor@example.org"]
    assert Delivery.objects.get(subscriber=ans).attempts == 2
    assert Delivery.objects.get(subscriber=bram).status == DeliveryStatus.SENDING
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENDING  # bram's row is still someone's


class TemporarilyRefusingBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("gone")


class PermanentlyRefusingBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"no such user")})


def test_a_temporary_error_puts_the_rows_back_and_stops_the_batch(campaign, settings):
    settings.EMAIL_BACKEND = f"{__name__}.TemporarilyRefusingBackend"
    newsletter, _subscribers = campaign

    result = deliveries_send_batch(newsletter_id=newsletter.pk)

    assert (result.sent, result.retry_later) == (0, True)
    rows = list(Delivery.objects.order_by("pk").values_list("status", "attempts"))
    assert rows == [(DeliveryStatus.PENDING, 1), (DeliveryStatus.PENDING, 0), (DeliveryStatus.PENDING, 0)]
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENDING


def test_a_refused_recipient_fails_and_the_campaign_finishes(campaign, settings):
    settings.EMAIL_BACKEND = f"{__name__}.PermanentlyRefusingBackend"
    newsletter, _subscribers = campaign

    result = deliveries_send_batch(newsletter_id=newsletter.pk)

    assert (result.sent, result.failed) == (0, 3)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENT


def test_a_live_batch_never_lasts_until_its_rows_count_as_stale(settings):
    # the time limit, the connection's open and the message in flight, each SMTP step one timeout
    assert STALE_AFTER.total_seconds() >= 2 * (BATCH_TIME_LIMIT + 8 * settings.EMAIL_TIMEOUT)


def test_a_slow_batch_whose_rows_went_to_another_sender_marks_and_resets_none_of_them(
    campaign, monkeypatch, mailoutbox
):
    newsletter, _subscribers = campaign
    rows = list(Delivery.objects.order_by("pk"))
    original = newsletter_mail.build_message

    def slow_then_reclaimed(**kwargs):
        # While the first message is in flight, the rows are handed back as stale and another sender
        # claims them under its own token.
        if not mailoutbox:
            Delivery.objects.filter(newsletter=newsletter).update(
                claim="00000000-0000-0000-0000-000000000001", claimed_at=timezone.now()
            )
        return original(**kwargs)

    monkeypatch.setattr(newsletter_mail, "build_message", slow_then_reclaimed)

    result = deliveries_send_batch(newsletter_id=newsletter.pk)

    assert (result.sent, result.lost_claim) == (0, True)
    assert len(mailoutbox) == 1  # the one in flight; the batch stopped there
    after = list(Delivery.objects.order_by("pk").values_list("status", "attempts", "sent_at", "message_id"))
    assert after == [(DeliveryStatus.SENDING, 1, None, "")] * len(rows)  # the other sender's, untouched
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENDING


def test_the_periodic_task_keeps_at_most_the_parallel_senders_per_campaign(
    campaign, settings, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    newsletter, subscribers = campaign
    settings.NEWSLETTER_BATCH_SIZE = 1
    monkeypatch.setattr(newsletters, "BATCHES_PER_SENDER", 1)
    queued = []
    monkeypatch.setattr(send_newsletter_batch, "delay", lambda **kwargs: queued.append(kwargs))

    start_due_newsletters()
    start_due_newsletters()  # the senders of the first tick are still queued or running

    assert len(queued) == PARALLEL_SENDERS
    assert {kwargs["slot"] for kwargs in queued} == set(range(PARALLEL_SENDERS))

    # A sender that used its batches with rows left queues its successor on its own slot and lease,
    # so the campaign does not wait for the next tick; the tick finds every slot still held.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_newsletter_batch(**queued[1]) == 1
    assert queued[-1] == queued[1]
    start_due_newsletters()
    assert len(queued) == PARALLEL_SENDERS + 1

    while queued:  # the worker runs what is queued, successors included
        with django_capture_on_commit_callbacks(execute=True):
            send_newsletter_batch(**queued.pop(0))

    assert sorted(message.to[0] for message in mailoutbox) == sorted(subscriber.email for subscriber in subscribers)
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENT
    # Senders that found nothing left freed their slots.
    assert len(newsletters.sender_leases_take(newsletter_id=newsletter.pk)) == PARALLEL_SENDERS


def test_a_message_that_cannot_be_built_fails_alone_and_the_batch_goes_on(campaign, monkeypatch, mailoutbox):
    newsletter, subscribers = campaign
    original = newsletter_mail.build_message

    def broken_for_bram(**kwargs):
        if kwargs["subscriber"].email == "bram@example.org":
            raise ValueError("a name the template cannot take")
        return original(**kwargs)

    monkeypatch.setattr(newsletter_mail, "build_message", broken_for_bram)

    result = deliveries_send_batch(newsletter_id=newsletter.pk)

    assert (result.sent, result.failed, result.retry_later) == (2, 1, False)
    assert sorted(message.to[0] for message in mailoutbox) == ["ans@example.org", "cor@example.org"]
    row = Delivery.objects.get(subscriber__email="bram@example.org")
    assert row.status == DeliveryStatus.FAILED
    assert "ValueError" in row.last_error
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENT  # nothing left to retry


def test_a_sender_whose_slot_went_to_another_sends_nothing(campaign, monkeypatch, mailoutbox):
    newsletter, _subscribers = campaign
    queued = []
    monkeypatch.setattr(send_newsletter_batch, "delay", lambda **kwargs: queued.append(kwargs))
    start_due_newsletters()

    assert send_newsletter_batch(newsletter_id=newsletter.pk, slot=0, token="an-expired-lease") == 0

    assert mailoutbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}


class AuthRefusingBackend(EmailBackend):
    def open(self):
        raise smtplib.SMTPAuthenticationError(535, b"5.7.8 authentication failed")


def test_a_connection_refused_for_good_counts_as_an_attempt_until_the_rows_fail(campaign, settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.AuthRefusingBackend"
    newsletter, _subscribers = campaign

    for attempt in range(1, MAX_ATTEMPTS + 1):
        result = deliveries_send_batch(newsletter_id=newsletter.pk)
        assert (result.claimed, result.sent, result.retry_later) == (3, 0, True)
        statuses = set(Delivery.objects.values_list("status", "attempts"))
        expected = DeliveryStatus.FAILED if attempt == MAX_ATTEMPTS else DeliveryStatus.PENDING
        assert statuses == {(expected, attempt)}
        Delivery.objects.update(claimed_at=timezone.now() - RETRY_AFTER)  # the next tick after the wait

    assert all("535" in error for error in Delivery.objects.values_list("last_error", flat=True))
    assert deliveries_send_batch(newsletter_id=newsletter.pk).claimed == 0
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENT
    assert mailoutbox == []


class GreylistingBackend(EmailBackend):
    """Refuses bram@ for now (450), as a greylisting server does for one recipient; sends the rest."""

    def send_messages(self, messages):
        if messages[0].to[0] == "bram@example.org":
            raise smtplib.SMTPRecipientsRefused({"bram@example.org": (450, b"4.2.0 greylisted, try later")})
        return super().send_messages(messages)


def test_one_recipient_refused_for_now_goes_back_alone_and_the_batch_goes_on(campaign, settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.GreylistingBackend"
    newsletter, (ans, bram, cor) = campaign

    result = deliveries_send_batch(newsletter_id=newsletter.pk)

    assert (result.sent, result.deferred, result.failed, result.retry_later) == (2, 1, 0, False)
    assert sorted(message.to[0] for message in mailoutbox) == ["ans@example.org", "cor@example.org"]
    assert Delivery.objects.get(subscriber=bram).status == DeliveryStatus.PENDING
    assert deliveries_send_batch(newsletter_id=newsletter.pk).claimed == 0  # not again at once

    Delivery.objects.filter(subscriber=bram).update(claimed_at=timezone.now() - RETRY_AFTER)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliveries_send_batch(newsletter_id=newsletter.pk).sent == 1
    assert Delivery.objects.get(subscriber=bram).attempts == 2
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENT


def test_scheduling_now_sends_the_campaign_through_the_tasks(news, django_capture_on_commit_callbacks, mailoutbox):
    for number in range(3):
        make_subscriber(f"s{number}@example.org", lists=[news])
    newsletter = NewsletterFactory(lists=[news])

    with django_capture_on_commit_callbacks(execute=True):
        newsletter_schedule(newsletter=newsletter)

    assert len(mailoutbox) == 3
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENT


# Compose, schedule, cancel ------------------------------------------------------------------------


def test_a_newsletter_needs_a_list(staff_user):
    with pytest.raises(ValidationError) as caught:
        newsletter_save(newsletter=Newsletter(), data={"subject": "Hoi", "body": "Tekst"}, created_by=staff_user)
    assert "lists" in caught.value.error_dict
    assert Newsletter.objects.count() == 0


def test_only_a_draft_can_be_changed_or_scheduled(news):
    newsletter = NewsletterFactory(lists=[news])
    newsletter_schedule(newsletter=newsletter, at=timezone.now() + timedelta(days=1))

    with pytest.raises(ValidationError):
        newsletter_save(newsletter=newsletter, data={"subject": "Anders", "body": "x", "lists": [news]})
    with pytest.raises(ValidationError):
        newsletter_schedule(newsletter=newsletter)


def test_a_moment_in_the_past_is_refused(news):
    newsletter = NewsletterFactory(lists=[news])
    with pytest.raises(ValidationError) as caught:
        newsletter_schedule(newsletter=newsletter, at=timezone.now() - timedelta(minutes=5))
    assert "scheduled_at" in caught.value.error_dict
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.DRAFT


def test_a_cancelled_campaign_never_starts(news, mailoutbox):
    make_subscriber("a@example.org", lists=[news])
    newsletter = NewsletterFactory(lists=[news])
    newsletter_schedule(newsletter=newsletter, at=timezone.now() + timedelta(minutes=5))
    newsletter_cancel(newsletter=newsletter)
    Newsletter.objects.filter(pk=newsletter.pk).update(scheduled_at=timezone.now() - timedelta(minutes=1))

    assert newsletters_start_due() == []
    assert newsletter_start(newsletter_id=newsletter.pk) is False
    assert Delivery.objects.count() == 0
    assert mailoutbox == []


def test_a_campaign_that_is_sending_cannot_be_cancelled(campaign):
    newsletter, _subscribers = campaign
    with pytest.raises(ValidationError):
        newsletter_cancel(newsletter=newsletter)
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENDING


# Pages --------------------------------------------------------------------------------------------


@pytest.fixture
def people(db):
    return {
        "staff": UserFactory(roles=["staff"], two_factor=True),
        "ambassador": UserFactory(roles=["ambassador"]),
        "trainer": UserFactory(roles=["trainer"]),
    }


def _get_urls(newsletter):
    return [
        reverse("dissemination:newsletter_list"),
        reverse("dissemination:newsletter_create"),
        reverse("dissemination:newsletter_detail", args=[newsletter.pk]),
        reverse("dissemination:newsletter_html", args=[newsletter.pk]),
        reverse("dissemination:newsletter_update", args=[newsletter.pk]),
        reverse("dissemination:newsletter_progress", args=[newsletter.pk]),
    ]


def _post_urls(newsletter):
    return [
        reverse("dissemination:newsletter_preview"),
        reverse("dissemination:newsletter_test_send", args=[newsletter.pk]),
        reverse("dissemination:newsletter_schedule", args=[newsletter.pk]),
        reverse("dissemination:newsletter_cancel", args=[newsletter.pk]),
    ]


@pytest.mark.parametrize(("who", "status"), [("staff", 200), ("ambassador", 403), ("trainer", 403)])
def test_newsletter_pages_are_for_staff_only(client, people, news, who, status):
    newsletter = NewsletterFactory(lists=[news])
    client.force_login(people[who])
    assert [client.get(url).status_code for url in _get_urls(newsletter)] == [status] * 6


def test_other_roles_cannot_post_to_newsletter_actions(client, people, news, mailoutbox):
    newsletter = NewsletterFactory(lists=[news])
    client.force_login(people["ambassador"])
    assert [client.post(url, {"when": "now"}).status_code for url in _post_urls(newsletter)] == [403] * 4
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.DRAFT
    assert mailoutbox == []


def test_anonymous_visitors_are_sent_to_the_login(client, news):
    newsletter = NewsletterFactory(lists=[news])
    for url in _get_urls(newsletter):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_missing_newsletter_answers_404(staff_client):
    assert staff_client.get(reverse("dissemination:newsletter_detail", args=[999999])).status_code == 404
    assert staff_client.get(reverse("dissemination:newsletter_progress", args=[999999])).status_code == 404
    assert staff_client.get(reverse("dissemination:newsletter_html", args=[999999])).status_code == 404


def test_staff_compose_a_draft(staff_client, staff_user, news):
    region = Region.objects.get(name="Rivierenland")
    response = staff_client.post(
        reverse("dissemination:newsletter_create"),
        {
            "subject": "Nieuws in maart",
            "body": "Nieuws voor *allemaal*",
            "lists": [news.pk],
            "target_groups": [TargetGroup.EMPLOYERS],
            "regions": [region.pk],
            "action": "save",
        },
    )

    newsletter = Newsletter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dissemination:newsletter_detail", args=[newsletter.pk])
    assert (newsletter.subject, newsletter.status, newsletter.created_by) == (
        "Nieuws in maart",
        NewsletterStatus.DRAFT,
        staff_user,
    )
    assert list(newsletter.lists.all()) == [news]
    assert newsletter.target_groups == [TargetGroup.EMPLOYERS]
    assert list(newsletter.regions.all()) == [region]


def test_a_draft_without_a_list_is_refused_next_to_the_field(staff_client):
    response = staff_client.post(
        reverse("dissemination:newsletter_create"), {"subject": "Hoi", "body": "Tekst", "action": "save"}
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["lists"]
    assert Newsletter.objects.count() == 0


def assert_mail_page(response):
    """A mail's HTML as a page of its own, for a sandboxed iframe: the mail policy, framable by our pages only."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Security-Policy"] == MAIL_HTML_POLICY
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_the_preview_button_posts_the_form_into_the_iframe(staff_client, news):
    """Without JS: the button's formaction is the preview page and its formtarget the iframe."""
    page = staff_client.get(reverse("dissemination:newsletter_create")).content.decode()

    preview_url = reverse("dissemination:newsletter_preview")
    assert f'formaction="{preview_url}" formtarget="newsletter-preview"' in page
    assert re.search(r'<iframe sandbox="" name="newsletter-preview"[^>]*>', page)
    assert "srcdoc" not in page


def test_the_preview_shows_the_rendered_mail_without_saving(staff_client, news):
    response = staff_client.post(
        reverse("dissemination:newsletter_preview"),
        {"subject": "Hoi", "body": "**Vet** <script>x()</script>\n\n# Kop", "lists": [news.pk]},
    )

    assert_mail_page(response)
    html = response.content.decode()
    assert "<strong>Vet</strong>" in html
    assert "<h1>Kop</h1>" in html
    assert "<script>" not in html
    assert Newsletter.objects.count() == 0


def test_the_edit_page_frames_the_saved_newsletter(staff_client, news):
    newsletter = NewsletterFactory(lists=[news])
    page = staff_client.get(reverse("dissemination:newsletter_update", args=[newsletter.pk])).content.decode()

    assert f'src="{reverse("dissemination:newsletter_html", args=[newsletter.pk])}"' in page
    assert "srcdoc" not in page


def test_the_detail_page_frames_the_newsletter_on_a_page_of_its_own(staff_client, news):
    newsletter = NewsletterFactory(lists=[news], subject="Voorjaar", body="Hallo *allemaal*")
    html_url = reverse("dissemination:newsletter_html", args=[newsletter.pk])

    page = staff_client.get(reverse("dissemination:newsletter_detail", args=[newsletter.pk])).content.decode()
    framed = staff_client.get(html_url)

    assert f'<iframe sandbox="" title="Voorbeeld van de nieuwsbrief" src="{html_url}"' in page
    assert "srcdoc" not in page
    assert_mail_page(framed)
    assert "<em>allemaal</em>" in framed.content.decode()
    assert "Voorjaar" in framed.content.decode()


def test_a_test_send_goes_to_the_staff_member_only(
    staff_client, staff_user, campaign, django_capture_on_commit_callbacks, mailoutbox
):
    newsletter, _subscribers = campaign
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("dissemination:newsletter_test_send", args=[newsletter.pk]))

    assert response.status_code == 302
    [message] = mailoutbox
    assert message.to == [staff_user.email]
    assert message.subject == f"[TEST] {newsletter.subject}"
    assert "List-Unsubscribe" not in message.message()
    assert not Delivery.objects.exclude(status=DeliveryStatus.PENDING).exists()


def test_a_test_mails_personal_links_lead_to_a_page_that_says_it_is_a_test(
    client, staff_client, campaign, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.SITE_URL = "https://mentorwijs.example.nl"
    newsletter, subscribers = campaign
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("dissemination:newsletter_test_send", args=[newsletter.pk]))

    [message] = mailoutbox
    html = message.alternatives[0][0]
    preferences = "https://mentorwijs.example.nl" + reverse("newsletter:test_link", args=["voorkeuren"])
    unsubscribe = "https://mentorwijs.example.nl" + reverse("newsletter:test_link", args=["afmelden"])
    for part in (message.body, html):
        assert preferences in part
        assert unsubscribe in part
    assert 'href="https://mentorwijs.example.nl"' not in html  # no link to the bare site root
    for link in (preferences, unsubscribe):
        page = client.get(link.removeprefix("https://mentorwijs.example.nl"))
        assert page.status_code == 200
        assert "test" in page.content.decode().lower()
    assert set(Subscriber.objects.values_list("status", flat=True)) == {SubscriberStatus.CONFIRMED}
    assert client.get(reverse("newsletter:test_link", args=["iets"])).status_code == 404


def test_staff_schedule_and_cancel_from_the_page(staff_client, news):
    newsletter = NewsletterFactory(lists=[news])
    at = timezone.localtime() + timedelta(days=2)

    response = staff_client.post(
        reverse("dissemination:newsletter_schedule", args=[newsletter.pk]),
        {"when": "later", "scheduled_at": at.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SCHEDULED
    assert newsletter.scheduled_at == at.replace(second=0, microsecond=0)

    staff_client.post(reverse("dissemination:newsletter_cancel", args=[newsletter.pk]))
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.CANCELLED


def test_scheduling_in_the_past_is_refused_next_to_the_field(staff_client, news):
    newsletter = NewsletterFactory(lists=[news])
    response = staff_client.post(
        reverse("dissemination:newsletter_schedule", args=[newsletter.pk]),
        {"when": "later", "scheduled_at": "2020-01-01T10:00"},
    )
    assert response.status_code == 400
    assert list(response.context["schedule_form"].errors) == ["scheduled_at"]
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.DRAFT


def test_the_progress_endpoint_counts_sent_failed_and_remaining(staff_client, campaign):
    newsletter, (ans, bram, _cor) = campaign
    Delivery.objects.filter(subscriber=ans).update(status=DeliveryStatus.SENT)
    Delivery.objects.filter(subscriber=bram).update(status=DeliveryStatus.FAILED)

    response = staff_client.get(reverse("dissemination:newsletter_progress", args=[newsletter.pk]))

    assert response.json() == {
        "status": "sending",
        "sent": 1,
        "failed": 1,
        "skipped": 0,
        "remaining": 1,
        "total": 3,
    }
    detail = staff_client.get(reverse("dissemination:newsletter_detail", args=[newsletter.pk]))
    assert detail.context["progress"]["remaining"] == 1


# Query counts -------------------------------------------------------------------------------------


def _newsletters(count, lists):
    for _ in range(count):
        newsletter = started(NewsletterFactory(lists=lists))
        Delivery.objects.filter(newsletter=newsletter).update(status=DeliveryStatus.SENT)


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_page_runs_a_fixed_number_of_queries(
    staff_client, news, employers_list, count, django_assert_num_queries
):
    make_subscriber("a@example.org", lists=[news])
    make_subscriber("b@example.org", lists=[employers_list])
    _newsletters(count, [news, employers_list])
    staff_client.get(reverse("dissemination:newsletter_list"))  # warm the session and permission caches

    with django_assert_num_queries(3):
        response = staff_client.get(reverse("dissemination:newsletter_list"))
    assert len(response.context["newsletters"]) == count


@pytest.mark.parametrize("subscribers", [1, 4])
@pytest.mark.parametrize("sending", [False, True])
def test_the_detail_page_runs_a_fixed_number_of_queries(
    staff_client, news, subscribers, sending, django_assert_num_queries
):
    for number in range(subscribers):
        make_subscriber(f"s{number}@example.org", lists=[news], region=Region.objects.get(name="Rivierenland"))
    newsletter = NewsletterFactory(lists=[news])
    newsletter.regions.set(Region.objects.all())
    if sending:
        started(newsletter)
    url = reverse("dissemination:newsletter_detail", args=[newsletter.pk])
    staff_client.get(url)

    with django_assert_num_queries(5 if sending else 6):
        response = staff_client.get(url)
    assert response.context["audience_size"] == subscribers
