import base64
import email
import json
import mailbox
from email import policy
from email.message import EmailMessage

import pytest
from anymail.signals import AnymailTrackingEvent, EventType, RejectReason, tracking
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dissemination.enums import ConsentAction, ConsentSource, DeliveryStatus, MailEventKind, SubscriberStatus
from dissemination.models import ConsentRecord, Delivery, MailEvent, MailingList, Newsletter, Subscriber
from dissemination.services.bounces import mail_delivered_record, mail_event_record
from dissemination.services.subscriptions import consented_list_ids, subscriber_confirm
from dissemination.tokens import unsubscribe_token
from tests.factories import OrganisationFactory, TrainingFactory, UserFactory
from trainings.enums import MessageKind, MessageStatus
from trainings.models import ScheduledMessage
from trainings.services.enrolment import enrolment_create

pytestmark = pytest.mark.django_db

SECRET = "anymail:a-webhook-secret"


def subscriber(email="anna@example.org", status=SubscriberStatus.CONFIRMED, **fields):
    return Subscriber.objects.create(email=email, status=status, **fields)


def delivery_to(sub):
    newsletter = Newsletter.objects.create(subject="Nieuws", body="Hallo", created_by=UserFactory())
    newsletter.lists.add(MailingList.objects.get_or_create(name="Werkgevers")[0])
    return Delivery.objects.create(
        newsletter=newsletter,
        subscriber=sub,
        status=DeliveryStatus.SENT,
        message_id=f"<newsletter-{newsletter.pk}-{sub.pk}@mentorwijs.nl>",
    )


def status_of(sub):
    sub.refresh_from_db()
    return sub.status


def confirmed_audience():
    return set(Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED).values_list("email", flat=True))


# --- the service ---------------------------------------------------------------------------------


def test_a_hard_bounce_stops_newsletters_at_once_and_links_the_delivery():
    anna, bob = subscriber(), subscriber("bob@example.org")
    delivery = delivery_to(anna)
    event = mail_event_record(email="ANNA@Example.org", kind=MailEventKind.HARD_BOUNCE, message_id=delivery.message_id)
    assert (event.subscriber, event.kind, event.delivery) == (anna, MailEventKind.HARD_BOUNCE, delivery)
    assert status_of(anna) == SubscriberStatus.BOUNCED
    assert confirmed_audience() == {"bob@example.org"}
    assert status_of(bob) == SubscriberStatus.CONFIRMED


def test_a_complaint_stops_newsletters_at_once():
    anna = subscriber()
    mail_event_record(email="anna@example.org", kind=MailEventKind.COMPLAINT, detail="abuse")
    assert status_of(anna) == SubscriberStatus.COMPLAINED
    assert confirmed_audience() == set()


def test_soft_bounces_count_up_to_the_limit(policy):
    policy(soft_bounce_limit=3)
    anna = subscriber()
    for number in range(1, 3):
        mail_event_record(email=anna.email, kind=MailEventKind.SOFT_BOUNCE, message_id=delivery_to(anna).message_id)
        anna.refresh_from_db()
        assert (anna.soft_bounces, anna.status) == (number, SubscriberStatus.CONFIRMED)
    mail_event_record(email=anna.email, kind=MailEventKind.SOFT_BOUNCE, message_id=delivery_to(anna).message_id)
    anna.refresh_from_db()
    assert (anna.soft_bounces, anna.status) == (3, SubscriberStatus.BOUNCED)


def test_a_delivery_resets_the_soft_bounce_count_but_not_the_status():
    anna = subscriber(soft_bounces=2)
    assert mail_delivered_record(email="Anna@example.org") == 1
    anna.refresh_from_db()
    assert (anna.soft_bounces, anna.status) == (0, SubscriberStatus.CONFIRMED)


def test_the_same_report_twice_counts_once():
    anna = subscriber()
    delivery = delivery_to(anna)
    for _ in range(2):
        mail_event_record(email=anna.email, kind=MailEventKind.SOFT_BOUNCE, message_id=delivery.message_id)
        mail_event_record(email=anna.email, kind=MailEventKind.SOFT_BOUNCE, event_id="Postmark:77", detail="x")
        mail_event_record(email=anna.email, kind=MailEventKind.SOFT_BOUNCE, detail="DSN 4.2.2 mailbox full")
    anna.refresh_from_db()
    assert anna.soft_bounces == 3
    assert MailEvent.objects.filter(subscriber=anna).count() == 3


def test_an_unknown_address_is_ignored():
    assert mail_event_record(email="nobody@example.org", kind=MailEventKind.HARD_BOUNCE) is None
    assert MailEvent.objects.count() == 0


def test_a_report_for_a_forwarded_address_finds_the_subscriber_by_message_id():
    anna = subscriber()
    delivery = delivery_to(anna)
    mail_event_record(email="anna@forwarded.example", kind=MailEventKind.HARD_BOUNCE, message_id=delivery.message_id)
    assert status_of(anna) == SubscriberStatus.BOUNCED


def test_addresses_are_found_case_insensitively_through_the_lower_email_index():
    anna = subscriber("Anna.de.Vries@Example.org", soft_bounces=1)
    with CaptureQueriesContext(connection) as queries:
        mail_event_record(email=" ANNA.DE.VRIES@example.ORG ", kind=MailEventKind.HARD_BOUNCE)
    lookup = next(query["sql"] for query in queries if 'FROM "dissemination_subscriber"' in query["sql"])
    assert 'LOWER("dissemination_subscriber"."email") = ' in lookup
    assert "UPPER" not in lookup
    assert "LIKE" not in lookup
    assert status_of(anna) == SubscriberStatus.BOUNCED
    with CaptureQueriesContext(connection) as queries:
        assert mail_delivered_record(email="anna.DE.vries@EXAMPLE.org") == 1
    assert 'LOWER("dissemination_subscriber"."email") = ' in queries[0]["sql"]
    assert "UPPER" not in queries[0]["sql"]


def confirmed_on(sub, *names):
    lists = [MailingList.objects.get_or_create(name=name)[0] for name in names]
    subscriber_confirm(subscriber=sub, list_ids=[mailing_list.pk for mailing_list in lists])
    return lists


def test_a_complaint_withdraws_consent_for_every_list_and_clears_the_lists():
    anna, bob = subscriber(status=SubscriberStatus.PENDING), subscriber("bob@example.org")
    werkgevers, scholen = confirmed_on(anna, "Werkgevers", "Scholen")
    confirmed_on(bob, "Werkgevers")
    mail_event_record(email=anna.email, kind=MailEventKind.COMPLAINT, detail="abuse")
    withdrawn = ConsentRecord.objects.filter(subscriber=anna, action=ConsentAction.WITHDRAWN)
    assert sorted(withdrawn.values_list("mailing_list", "source", "proof")) == sorted(
        [(werkgevers.pk, ConsentSource.UNSUBSCRIBE, "complaint"), (scholen.pk, ConsentSource.UNSUBSCRIBE, "complaint")]
    )
    assert consented_list_ids(anna) == set()
    assert not anna.lists.exists()
    assert status_of(anna) == SubscriberStatus.COMPLAINED
    assert consented_list_ids(bob) == {werkgevers.pk}
    mail_event_record(email=anna.email, kind=MailEventKind.COMPLAINT, detail="abuse again")
    assert withdrawn.count() == 2


def test_a_hard_bounce_keeps_the_consent_records():
    anna = subscriber(status=SubscriberStatus.PENDING)
    confirmed_on(anna, "Werkgevers")
    mail_event_record(email=anna.email, kind=MailEventKind.HARD_BOUNCE)
    assert not ConsentRecord.objects.filter(action=ConsentAction.WITHDRAWN).exists()


# --- the provider webhook ------------------------------------------------------------------------


def postmark_bounce(email="anna@example.org", bounce_type="HardBounce", event_id=4323372036854775807):
    return {
        "RecordType": "Bounce",
        "ID": event_id,
        "Type": bounce_type,
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {},
        "ServerID": 23,
        "MessageStream": "broadcast",
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "nieuwsbrief@mentorwijs.nl",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Nieuws",
    }


def post_webhook(client, payload, secret=SECRET):
    headers = {}
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(secret.encode()).decode()
    url = reverse("anymail:postmark_tracking_webhook")
    return client.post(url, data=json.dumps(payload), content_type="application/json", **headers)


@pytest.fixture
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}


def test_the_postmark_webhook_records_a_hard_bounce_without_login(client, webhook_secret):
    anna = subscriber()
    response = post_webhook(client, postmark_bounce())
    assert response.status_code == 200
    assert status_of(anna) == SubscriberStatus.BOUNCED
    event = MailEvent.objects.get()
    assert event.kind == MailEventKind.HARD_BOUNCE
    assert event.detail.startswith("[Postmark:4323372036854775807]")


def test_the_same_webhook_call_twice_counts_once(client, webhook_secret):
    anna = subscriber()
    for _ in range(2):
        assert post_webhook(client, postmark_bounce(bounce_type="SoftBounce")).status_code == 200
    anna.refresh_from_db()
    assert (anna.soft_bounces, anna.status) == (1, SubscriberStatus.CONFIRMED)


@pytest.mark.parametrize("secret", [None, "anymail:wrong"])
def test_the_webhook_refuses_a_missing_or_wrong_secret(client, webhook_secret, secret):
    anna = subscriber()
    response = post_webhook(client, postmark_bounce(), secret=secret)
    assert response.status_code == 400
    assert status_of(anna) == SubscriberStatus.CONFIRMED
    assert MailEvent.objects.count() == 0


def postmark_complaint(email="anna@example.org"):
    return {
        "RecordType": "SpamComplaint",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "MessageStream": "broadcast",
        "Email": email,
        "From": "nieuwsbrief@mentorwijs.nl",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "Subject": "Nieuws",
    }


def test_without_a_webhook_secret_the_webhook_accepts_nothing(client, settings):
    assert not settings.ANYMAIL.get("WEBHOOK_SECRET")  # the default
    anna = subscriber(status=SubscriberStatus.PENDING)
    confirmed_on(anna, "Werkgevers")
    for secret in (None, "anymail:anything", ""):
        response = post_webhook(client, postmark_complaint(), secret=secret)
        assert response.status_code == 404
    assert status_of(anna) == SubscriberStatus.CONFIRMED
    assert MailEvent.objects.count() == 0
    assert consented_list_ids(anna) == {MailingList.objects.get().pk}


def test_with_a_webhook_secret_a_postmark_complaint_is_recorded(client, webhook_secret):
    anna = subscriber(status=SubscriberStatus.PENDING)
    confirmed_on(anna, "Werkgevers")
    assert post_webhook(client, postmark_complaint()).status_code == 200
    assert status_of(anna) == SubscriberStatus.COMPLAINED
    assert consented_list_ids(anna) == set()


def test_deferred_retries_of_one_message_do_not_bounce_the_address(policy):
    policy(soft_bounce_limit=2)
    anna = subscriber()
    for number in range(5):
        send_tracking(EventType.DEFERRED, event_id=f"retry-{number}", message_id="provider-message-1")
    anna.refresh_from_db()
    assert (anna.status, anna.soft_bounces) == (SubscriberStatus.CONFIRMED, 0)
    assert MailEvent.objects.count() == 0
    send_tracking(EventType.BOUNCED, event_id="final", message_id="provider-message-1", mta_response="550 5.1.1")
    assert status_of(anna) == SubscriberStatus.BOUNCED


def send_tracking(event_type, **fields):
    event = AnymailTrackingEvent(event_type=event_type, recipient="anna@example.org", **fields)
    tracking.send(sender=object, event=event, esp_name="Mailgun")


@pytest.mark.parametrize(
    ("event_type", "fields", "status", "soft_bounces"),
    [
        (EventType.BOUNCED, {"mta_response": "550 5.1.1 no such user"}, SubscriberStatus.BOUNCED, 0),
        (EventType.BOUNCED, {"mta_response": "452 4.2.2 mailbox full"}, SubscriberStatus.CONFIRMED, 1),
        (EventType.DEFERRED, {}, SubscriberStatus.CONFIRMED, 0),
        (EventType.COMPLAINED, {}, SubscriberStatus.COMPLAINED, 0),
        (EventType.REJECTED, {"reject_reason": RejectReason.INVALID}, SubscriberStatus.BOUNCED, 0),
        (EventType.REJECTED, {"reject_reason": RejectReason.SPAM}, SubscriberStatus.COMPLAINED, 0),
        (EventType.REJECTED, {"reject_reason": RejectReason.BLOCKED}, SubscriberStatus.CONFIRMED, 0),
        (EventType.OPENED, {}, SubscriberStatus.CONFIRMED, 0),
    ],
)
def test_the_tracking_signal_maps_provider_events(event_type, fields, status, soft_bounces):
    anna = subscriber()
    send_tracking(event_type, event_id="e1", **fields)
    anna.refresh_from_db()
    assert (anna.status, anna.soft_bounces) == (status, soft_bounces)


def test_the_tracking_signal_links_the_newsletter_delivery():
    anna = subscriber()
    delivery = delivery_to(anna)
    send_tracking(EventType.BOUNCED, message_id=delivery.message_id, mta_response="550 5.1.1")
    assert MailEvent.objects.get().delivery == delivery


# --- the bounce mailbox --------------------------------------------------------------------------

DSN = """From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
To: bounces@mentorwijs.nl
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-{status}-{recipient}@mx.example.org>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain

Your message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
Arrival-Date: Thu, 5 Nov 2026 10:00:00 +0100

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected

--BOUNDARY
Content-Type: message/rfc822

From: Mentorwijs <nieuwsbrief@mentorwijs.nl>
To: {recipient}
Subject: Nieuws
Message-ID: {message_id}

Hallo
--BOUNDARY--
"""

ARF = """From: feedback@isp.example
To: bounces@mentorwijs.nl
Subject: Complaint
Message-ID: <arf-1@isp.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain

This is an abuse report.

--BOUNDARY
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: isp-fbl/1.0
Version: 1

--BOUNDARY
Content-Type: text/rfc822-headers

From: Mentorwijs <nieuwsbrief@mentorwijs.nl>
To: Carla <{recipient}>
Subject: Nieuws
Message-ID: <newsletter-999-999@mentorwijs.nl>

--BOUNDARY--
"""


def plain_mail():
    message = EmailMessage()
    message["From"] = "someone@example.org"
    message["To"] = "unsubscribe@mentorwijs.nl"
    message["Subject"] = "Please remove me"
    message.set_content("Thanks.")
    return message.as_bytes()


def test_read_bounces_records_dsns_and_complaints_and_a_second_run_does_nothing(tmp_path, settings, capsys, policy):
    policy(soft_bounce_limit=3)
    anna, bob, carla = subscriber(), subscriber("bob@example.org"), subscriber("carla@example.org")
    delivery = delivery_to(anna)
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(DSN.format(recipient=anna.email, action="failed", status="5.1.1", message_id=delivery.message_id).encode())
    box.add(DSN.format(recipient=bob.email, action="delayed", status="4.2.2", message_id="<x@mentorwijs.nl>").encode())
    box.add(ARF.format(recipient=carla.email).encode())
    box.add(plain_mail())
    settings.BOUNCE_MAILBOX_URL = f"maildir://{tmp_path / 'bounces'}"

    call_command("read_bounces")
    first = capsys.readouterr().out
    assert "3 events recorded" in first
    assert status_of(anna) == SubscriberStatus.BOUNCED
    assert MailEvent.objects.get(subscriber=anna).delivery == delivery
    bob.refresh_from_db()
    assert (bob.status, bob.soft_bounces) == (SubscriberStatus.CONFIRMED, 1)
    assert status_of(carla) == SubscriberStatus.COMPLAINED
    remaining = mailbox.Maildir(tmp_path / "bounces", create=False)
    assert [message["Subject"] for message in remaining] == ["Please remove me"]  # left for a person

    call_command("read_bounces")
    assert capsys.readouterr().out.startswith("0 messages read")
    assert MailEvent.objects.count() == 3
    bob.refresh_from_db()
    assert bob.soft_bounces == 1


# --- service mail does not depend on newsletter consent ------------------------------------------


@pytest.mark.parametrize("status", [SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.BOUNCED])
def test_service_mail_still_goes_out_after_unsubscribe_or_bounce(
    status, mailoutbox, django_capture_on_commit_callbacks
):
    subscriber("anna@example.org", status=status)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrolment_create(
            training=TrainingFactory(meetings=2),
            first_name="Anna",
            last_name="de Vries",
            email="anna@example.org",
            organisation=OrganisationFactory(public_since=timezone.now()),
            consent=True,
        )
    message = ScheduledMessage.objects.get(enrolment=enrolment, kind=MessageKind.ENROLMENT_CONFIRMED)
    assert message.status == MessageStatus.SENT
    sent_to_anna = [mail.extra_headers["Message-ID"] for mail in mailoutbox if mail.to == ["anna@example.org"]]
    assert message.message_id in sent_to_anna


def unsubscribe_mail(subject):
    message = EmailMessage()
    message["From"] = "Anna <anna@example.org>"
    message["To"] = "unsubscribe@mentorwijs.local"
    message["Subject"] = subject
    message.set_content("")
    return message.as_bytes()


def test_read_bounces_honours_an_unsubscribe_by_mail_and_removes_it(tmp_path, settings, capsys):
    anna, bob = (
        subscriber(status=SubscriberStatus.PENDING),
        subscriber("bob@example.org", status=SubscriberStatus.PENDING),
    )
    (werkgevers,) = confirmed_on(anna, "Werkgevers")
    confirmed_on(bob, "Werkgevers")
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(unsubscribe_mail(f"Re: unsubscribe-{unsubscribe_token(anna)}"))
    box.add(unsubscribe_mail(f"unsubscribe-{unsubscribe_token(bob)}x"))  # tampered: left for a person
    settings.BOUNCE_MAILBOX_URL = f"maildir://{tmp_path / 'bounces'}"

    call_command("read_bounces")
    assert "1 unsubscribes" in capsys.readouterr().out
    anna.refresh_from_db()
    assert anna.status == SubscriberStatus.UNSUBSCRIBED
    assert consented_list_ids(anna) == set()
    record = ConsentRecord.objects.get(subscriber=anna, action=ConsentAction.WITHDRAWN)
    assert (record.mailing_list, record.source) == (werkgevers, ConsentSource.UNSUBSCRIBE)
    assert status_of(bob) == SubscriberStatus.CONFIRMED
    remaining = mailbox.Maildir(tmp_path / "bounces", create=False)
    subjects = [
        str(email.message_from_bytes(remaining.get_bytes(key), policy=policy.default)["Subject"])
        for key in remaining.iterkeys()
    ]
    assert subjects == [f"unsubscribe-{unsubscribe_token(bob)}x"]

    call_command("read_bounces")
    assert capsys.readouterr().out.startswith("0 messages read")
    assert ConsentRecord.objects.filter(action=ConsentAction.WITHDRAWN).count() == 1


class FakeIMAPServer:
    """The part of an IMAP server read_bounces talks to (RFC 3501 UID SEARCH/FETCH/STORE, EXPUNGE),
    held in memory: uid → [raw message, set of flags]. One instance stands for the mailbox."""

    def __init__(self, messages):
        self.mail = {str(uid).encode(): [raw, set()] for uid, raw in enumerate(messages, start=1)}
        self.logins = []

    def __call__(self, host, port, timeout=None):  # imaplib.IMAP4_SSL(host, port, timeout=…)
        self.address = (host, port)
        return self

    def login(self, user, password):
        self.logins.append((user, password))
        return "OK", [b"Logged in"]

    def select(self, folder):
        self.folder = folder
        return "OK", [str(len(self.mail)).encode()]

    def uid(self, command, *args):
        if command == "SEARCH":
            _charset, _unkeyword, keyword, _undeleted = args
            found = [
                uid for uid, (_raw, flags) in self.mail.items() if keyword not in flags and "\\Deleted" not in flags
            ]
            return "OK", [b" ".join(found)]
        if command == "FETCH":
            uid, _what = args
            return "OK", [(uid + b" (UID " + uid + b" BODY[] {n}", self.mail[uid][0]), b")"]
        if command == "STORE":
            uid, _how, flags = args
            self.mail[uid][1].add(flags.strip("()"))
            return "OK", []
        raise AssertionError(f"unexpected UID {command}")

    def expunge(self):
        self.mail = {uid: entry for uid, entry in self.mail.items() if "\\Deleted" not in entry[1]}
        return "OK", []

    def logout(self):
        return "BYE", []


def test_read_bounces_over_imap_deletes_reports_and_marks_the_rest_once(settings, capsys, monkeypatch):
    from dissemination.services import bounce_mailbox as read_bounces

    anna = subscriber()
    delivery = delivery_to(anna)
    server = FakeIMAPServer(
        [
            DSN.format(recipient=anna.email, action="failed", status="5.1.1", message_id=delivery.message_id).encode(),
            plain_mail(),
        ]
    )
    monkeypatch.setattr(read_bounces.imaplib, "IMAP4_SSL", server)
    settings.BOUNCE_MAILBOX_URL = "imaps://bounces%40mentorwijs.nl:geheim%2F1@imap.example.org/Bounces"

    call_command("read_bounces")

    assert "1 events recorded" in capsys.readouterr().out
    assert status_of(anna) == SubscriberStatus.BOUNCED
    assert server.address == ("imap.example.org", 993)
    assert server.logins == [("bounces@mentorwijs.nl", "geheim/1")]
    assert server.folder == "Bounces"
    [(raw, flags)] = server.mail.values()  # the report was deleted and expunged
    assert b"Please remove me" in raw
    assert flags == {read_bounces.DONE_KEYWORD}  # left for a person, not read again

    call_command("read_bounces")
    assert capsys.readouterr().out.startswith("0 messages read")
    assert MailEvent.objects.count() == 1


# --- beat reads the mailbox ----------------------------------------------------------------------


def load_settings(monkeypatch, **environ):
    """A fresh copy of mentorwijs/settings.py read with these environment variables."""
    import importlib.util
    from pathlib import Path

    import mentorwijs

    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    path = Path(mentorwijs.__file__).parent / "settings.py"
    spec = importlib.util.spec_from_file_location("settings_copy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_beat_reads_the_bounce_mailbox_only_when_one_is_configured(monkeypatch, tmp_path):
    from dissemination.tasks import read_bounce_mailbox

    configured = load_settings(monkeypatch, DEBUG="true", BOUNCE_MAILBOX_URL=f"maildir://{tmp_path}")
    entry = configured.CELERY_BEAT_SCHEDULE["dissemination-read-bounce-mailbox"]
    assert entry["task"] == read_bounce_mailbox.name
    assert entry["schedule"] == 300
    monkeypatch.delenv("BOUNCE_MAILBOX_URL")
    unconfigured = load_settings(monkeypatch, DEBUG="true")
    assert "dissemination-read-bounce-mailbox" not in unconfigured.CELERY_BEAT_SCHEDULE


def test_the_beat_task_returns_at_once_without_a_mailbox(settings, monkeypatch):
    from dissemination.services import bounce_mailbox
    from dissemination.tasks import read_bounce_mailbox

    settings.BOUNCE_MAILBOX_URL = ""
    monkeypatch.setattr(bounce_mailbox, "bounce_mailbox_read", lambda **kwargs: pytest.fail("read without a mailbox"))
    assert read_bounce_mailbox.apply().get() is None


def test_the_beat_task_records_a_bounce_from_the_configured_mailbox_and_twice_is_safe(tmp_path, settings):
    from dissemination.tasks import read_bounce_mailbox

    anna = subscriber()
    delivery = delivery_to(anna)
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(DSN.format(recipient=anna.email, action="failed", status="5.1.1", message_id=delivery.message_id).encode())
    box.add(plain_mail())
    settings.BOUNCE_MAILBOX_URL = f"maildir://{tmp_path / 'bounces'}"

    first = read_bounce_mailbox.apply().get()
    assert (first["reports"], first["recorded"], first["other"]) == (1, 1, 1)
    assert status_of(anna) == SubscriberStatus.BOUNCED
    assert MailEvent.objects.get(subscriber=anna).kind == MailEventKind.HARD_BOUNCE

    second = read_bounce_mailbox.apply().get()
    assert second == {"read": 0, "reports": 0, "recorded": 0, "unsubscribes": 0, "other": 0}
    assert MailEvent.objects.filter(subscriber=anna).count() == 1


def test_the_beat_task_records_a_report_once_when_the_reader_hands_it_over_twice(settings, monkeypatch):
    """Two runs side by side may both read one report before either deletes it: it counts once."""
    from dissemination.services import bounce_mailbox
    from dissemination.tasks import read_bounce_mailbox

    anna = subscriber()
    delivery = delivery_to(anna)
    raw = DSN.format(recipient=anna.email, action="failed", status="5.1.1", message_id=delivery.message_id).encode()
    monkeypatch.setattr(bounce_mailbox._Reader, "read_maildir", lambda self, path: self.process(raw))
    settings.BOUNCE_MAILBOX_URL = "maildir:///nowhere"

    read_bounce_mailbox.apply()
    read_bounce_mailbox.apply()
    assert MailEvent.objects.filter(subscriber=anna).count() == 1
    assert status_of(anna) == SubscriberStatus.BOUNCED
