"""The confirmation sweep: a newsletter confirmation whose task was lost (the broker was down when the
request was committed) is mailed by the periodic task dissemination.send_pending_confirmations, once."""

import re
import smtplib
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from dissemination.enums import ConsentAction, ConsentSource, SubscriberStatus
from dissemination.models import ConsentRecord, Subscriber
from dissemination.services.subscriptions import (
    CONFIRMATION_SWEEP_GRACE,
    preferences_update,
    subscriber_confirm,
    subscriber_sign_up,
    subscribers_import,
)
from dissemination.tasks import send_pending_confirmations
from mentorwijs.celery import app as celery_app
from tests.factories import MailingListFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://\S+/nieuwsbrief/bevestigen/[^/\s]+/")


@pytest.fixture
def lists():
    return [MailingListFactory(name="Werkgevers"), MailingListFactory(name="Scholen")]


@contextmanager
def later(monkeypatch, delta):
    """Run the block as if `delta` had passed (services read django.utils.timezone.now)."""
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + delta)
    try:
        yield
    finally:
        monkeypatch.setattr(timezone, "now", real_now)


def lost_sign_up(django_capture_on_commit_callbacks, lists, email="anna@example.org"):
    """A sign-up whose queued task never reaches a worker (captured, not run). Returns the callbacks."""
    with django_capture_on_commit_callbacks() as callbacks:
        subscriber_sign_up(email=email, name="Anna", lists=lists, wording_version="2025-3")
    return callbacks


def sweep(monkeypatch, delta=CONFIRMATION_SWEEP_GRACE + timedelta(seconds=1)) -> int:
    with later(monkeypatch, delta):
        return send_pending_confirmations.apply().get()


def confirm_path(message) -> str:
    link = CONFIRM_LINK.search(message.body).group(0)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_a_sign_up_keeps_its_open_request_on_the_row(lists, django_capture_on_commit_callbacks):
    lost_sign_up(django_capture_on_commit_callbacks, lists)

    subscriber = Subscriber.objects.get()
    assert subscriber.confirmation_sent_at is not None
    assert subscriber.confirmation_request == {"lists": sorted(m.pk for m in lists), "version": "2025-3"}


def test_the_sweep_mails_a_confirmation_whose_task_was_lost(
    client, lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    lost_sign_up(django_capture_on_commit_callbacks, lists)
    requested_at = Subscriber.objects.get().confirmation_sent_at

    assert sweep(monkeypatch) == 1

    [message] = mailoutbox
    assert message.to == ["anna@example.org"]
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmation_request is None
    assert subscriber.confirmation_sent_at > requested_at
    # The link works and records the wording version of the form, for the lists asked for.
    assert client.post(confirm_path(message)).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    records = ConsentRecord.objects.filter(action=ConsentAction.GIVEN, source=ConsentSource.FORM)
    assert sorted(records.values_list("mailing_list__name", "wording_version")) == [
        ("Scholen", "2025-3"),
        ("Werkgevers", "2025-3"),
    ]


def test_the_sweep_leaves_a_fresh_request_to_its_task(
    lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    lost_sign_up(django_capture_on_commit_callbacks, lists)

    assert sweep(monkeypatch, delta=CONFIRMATION_SWEEP_GRACE - timedelta(seconds=5)) == 0

    assert mailoutbox == []
    assert Subscriber.objects.get().confirmation_request is not None


def test_the_sweep_gives_up_on_a_request_older_than_the_link_would_live(
    lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    lost_sign_up(django_capture_on_commit_callbacks, lists)

    assert sweep(monkeypatch, delta=timedelta(days=settings.SUBSCRIPTION_CONFIRM_DAYS, minutes=1)) == 0
    assert mailoutbox == []


def test_the_sweep_twice_mails_once(lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks):
    lost_sign_up(django_capture_on_commit_callbacks, lists)

    assert sweep(monkeypatch) == 1
    assert sweep(monkeypatch, delta=timedelta(minutes=10)) == 0

    assert len(mailoutbox) == 1


def test_the_lost_task_turning_up_after_the_sweep_mails_nothing(
    lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    callbacks = lost_sign_up(django_capture_on_commit_callbacks, lists)
    assert sweep(monkeypatch) == 1

    callbacks[0]()  # the queued task finally runs (eager here)

    assert len(mailoutbox) == 1


def test_the_sweep_after_the_task_mails_nothing(lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks):
    callbacks = lost_sign_up(django_capture_on_commit_callbacks, lists)
    callbacks[0]()
    assert len(mailoutbox) == 1
    assert Subscriber.objects.get().confirmation_request is None

    assert sweep(monkeypatch, delta=timedelta(minutes=10)) == 0

    assert len(mailoutbox) == 1


def test_the_sweep_keeps_the_throttle(lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks):
    lost_sign_up(django_capture_on_commit_callbacks, lists)
    assert sweep(monkeypatch) == 1

    # Signing up again right after the mail left asks for nothing new, so the next sweep sends nothing.
    with later(monkeypatch, CONFIRMATION_SWEEP_GRACE + timedelta(minutes=1)):
        lost_sign_up(django_capture_on_commit_callbacks, lists)
    assert Subscriber.objects.get().confirmation_request is None
    assert sweep(monkeypatch, delta=timedelta(minutes=8)) == 0

    assert len(mailoutbox) == 1


def test_the_sweep_mails_only_the_lists_a_confirmed_subscriber_added(
    client, lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    subscriber = SubscriberFactory(email="bert@example.org", status=SubscriberStatus.PENDING)
    subscriber_confirm(subscriber=subscriber, list_ids=[lists[0].pk])
    national = MailingListFactory(name="Landelijk")
    with django_capture_on_commit_callbacks():
        subscriber_sign_up(email="bert@example.org", name="Bert", lists=[lists[0], national])
    assert Subscriber.objects.get().confirmation_request["lists"] == [national.pk]

    assert sweep(monkeypatch) == 1

    client.post(confirm_path(mailoutbox[0]))
    given = ConsentRecord.objects.filter(action=ConsentAction.GIVEN).values_list("mailing_list__name", flat=True)
    assert sorted(given) == ["Landelijk", "Werkgevers"]


def test_the_sweep_mails_a_lost_request_of_the_preference_page(
    lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    subscriber = SubscriberFactory(email="bert@example.org", status=SubscriberStatus.BOUNCED)
    with django_capture_on_commit_callbacks():
        preferences_update(subscriber=subscriber, lists=[lists[1]])

    assert sweep(monkeypatch) == 1

    [message] = mailoutbox
    assert message.to == ["bert@example.org"]
    assert Subscriber.objects.get().status == SubscriberStatus.BOUNCED  # only the link brings it back


def test_the_sweep_mails_the_requests_of_an_import(lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks):
    SubscriberFactory(email="oud@example.org", status=SubscriberStatus.PENDING, confirmation_sent_at=None)
    rows = [
        {"email": email, "name": "", "organisation": "", "target_group": "", "lists": "Scholen"}
        | {"consent_source": "", "proof": ""}
        for email in ("nieuw@example.org", "oud@example.org")
    ]
    with django_capture_on_commit_callbacks() as callbacks:
        subscribers_import(rows=rows, by=None)
    assert len(callbacks) == 2
    assert list(Subscriber.objects.order_by("email").values_list("email", "confirmation_request")) == [
        ("nieuw@example.org", {"lists": [lists[1].pk], "version": settings.CONSENT_WORDING_VERSION}),
        ("oud@example.org", {"lists": [lists[1].pk], "version": settings.CONSENT_WORDING_VERSION}),
    ]

    assert sweep(monkeypatch) == 2

    assert sorted(message.to[0] for message in mailoutbox) == ["nieuw@example.org", "oud@example.org"]


@pytest.mark.parametrize(
    ("error", "stays_open"),
    [(smtplib.SMTPResponseException(421, b"busy"), True), (smtplib.SMTPResponseException(550, b"no"), False)],
)
def test_a_temporary_error_leaves_the_request_for_the_next_sweep_and_a_permanent_one_closes_it(
    lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks, error, stays_open
):
    from mentorwijs import mail

    lost_sign_up(django_capture_on_commit_callbacks, lists)
    requested_at = Subscriber.objects.get().confirmation_sent_at

    def fail(**kwargs):
        raise error

    monkeypatch.setattr(mail, "send", fail)
    assert sweep(monkeypatch) == 0
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmation_sent_at == requested_at
    assert (subscriber.confirmation_request is not None) == stays_open

    monkeypatch.undo()
    assert sweep(monkeypatch, delta=timedelta(minutes=5)) == (1 if stays_open else 0)
    assert len(mailoutbox) == (1 if stays_open else 0)


def test_a_permanent_error_in_the_task_closes_the_request(
    lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    from mentorwijs import mail

    callbacks = lost_sign_up(django_capture_on_commit_callbacks, lists)

    def fail(**kwargs):
        raise smtplib.SMTPRecipientsRefused({"anna@example.org": (550, b"no such user")})

    monkeypatch.setattr(mail, "send", fail)
    callbacks[0]()
    assert Subscriber.objects.get().confirmation_request is None
    monkeypatch.undo()

    assert sweep(monkeypatch) == 0
    assert mailoutbox == []


def test_the_sweep_is_on_beats_schedule_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["dissemination-send-pending-confirmations"]

    assert entry == {"task": "dissemination.send_pending_confirmations", "schedule": 300}
    assert celery_app.tasks[entry["task"]].name == send_pending_confirmations.name


def test_the_signup_page_succeeds_when_queuing_the_task_fails(
    client, lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    """The broker is down: queuing raises, the request still ends on the "check your mail" page."""

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    from dissemination.tasks import send_subscription_confirmation

    monkeypatch.setattr(send_subscription_confirmation, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("newsletter:signup"),
            {"email": "anna@example.org", "first_name": "Anna", "lists": [mailing_list.pk for mailing_list in lists]},
        )
    assert response.status_code == 302
    assert response.url == reverse("newsletter:signup_done")
    assert mailoutbox == []
    monkeypatch.undo()

    assert sweep(monkeypatch) == 1
    assert [message.to for message in mailoutbox] == [["anna@example.org"]]
