"""The staff page of mail events: bounces, complaints and failed sends of every app in one list,
with filters, a fixed number of queries, and "send again" for a failed service mail."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import CertificationNotice
from dissemination.enums import DeliveryStatus, MailEventKind, NewsletterStatus
from dissemination.models import Delivery, MailEvent
from mentorwijs.accounts.models import Invitation
from tests.factories import (
    CertificationFactory,
    EnrolmentFactory,
    InvitationFactory,
    MailingListFactory,
    NewsletterFactory,
    SubscriberFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.enums import MessageStatus
from trainings.models import ScheduledMessage

pytestmark = pytest.mark.django_db

URL = reverse("dissemination:mail_event_list")


def sent_newsletter(subject="Voorjaarsnieuws"):
    return NewsletterFactory(subject=subject, status=NewsletterStatus.SENT, lists=[MailingListFactory()])


def bounce(email, *, newsletter=None, kind=MailEventKind.HARD_BOUNCE, at=None):
    subscriber = SubscriberFactory(email=email)
    delivery = None
    if newsletter is not None:
        delivery = Delivery.objects.create(
            newsletter=newsletter, subscriber=subscriber, status=DeliveryStatus.SENT, message_id=f"<{email}>"
        )
    return MailEvent.objects.create(
        subscriber=subscriber, kind=kind, delivery=delivery, detail="550 5.1.1 user unknown", at=at or timezone.now()
    )


def failed_delivery(email, newsletter):
    return Delivery.objects.create(
        newsletter=newsletter,
        subscriber=SubscriberFactory(email=email),
        status=DeliveryStatus.FAILED,
        claimed_at=timezone.now(),
        last_error="SMTPRecipientsRefused: 550",
    )


def failed_reminder(enrolment=None):
    enrolment = enrolment or EnrolmentFactory(training=TrainingFactory(meetings=1))
    return ScheduledMessage.objects.create(
        kind="meeting_reminder",
        status=MessageStatus.FAILED,
        due_at=timezone.now() - timedelta(hours=1),
        enrolment=enrolment,
        meeting=enrolment.training.meetings.first(),
        attempts=5,
        last_error="SMTPRecipientsRefused: 550",
    )


def failed_notice():
    return CertificationNotice.objects.create(
        certification=CertificationFactory(),
        kind="approved",
        status=MessageStatus.FAILED,
        due_at=timezone.now(),
        attempts=1,
        last_error="SMTPDataError: 554",
    )


def unsent_invitation():
    invitation = InvitationFactory(email="nieuw@example.org")
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(hours=1))
    return invitation


def listed(response) -> list[tuple[str, str]]:
    return [(row["ev_source"], row["ev_email"]) for row in response.context["rows"]]


def test_one_list_holds_bounces_complaints_and_failed_sends_of_every_app(staff_client):
    newsletter = sent_newsletter()
    bounce("weg@example.org", newsletter=newsletter, at=timezone.now() - timedelta(days=2))
    bounce("boos@example.org", kind=MailEventKind.COMPLAINT, at=timezone.now() - timedelta(days=1))
    failed_delivery("kapot@example.org", newsletter)
    reminder = failed_reminder()
    notice = failed_notice()
    invitation = unsent_invitation()
    InvitationFactory(email="net@example.org")  # just made: its mail is on its way, not failed
    ScheduledMessage.objects.create(kind="certificate", due_at=timezone.now(), enrolment=reminder.enrolment)

    response = staff_client.get(URL)

    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(
        [
            ("event", "weg@example.org"),
            ("event", "boos@example.org"),
            ("delivery", "kapot@example.org"),
            ("trainings.message", reminder.enrolment.person.email),
            ("ambassadors.notice", notice.certification.holder.email),
            ("accounts.invitation", invitation.email),
        ]
    )
    assert listed(response)[-1] == ("event", "weg@example.org")  # newest first
    assert all(isinstance(row["ev_at"], datetime) for row in response.context["rows"])
    page = response.content.decode()
    assert "Voorjaarsnieuws" in page
    assert "Herinnering aan bijeenkomst" in page or "Meeting reminder" in page


@pytest.mark.parametrize(
    ("kind", "sources"),
    [
        ("bounce", {"event:weg@example.org"}),
        ("complaint", {"event:boos@example.org"}),
        ("failed_newsletter", {"delivery:kapot@example.org"}),
        ("failed_service_mail", {"trainings.message:ilse@example.org"}),
    ],
)
def test_the_kind_filter(staff_client, kind, sources):
    newsletter = sent_newsletter()
    bounce("weg@example.org", newsletter=newsletter)
    bounce("boos@example.org", kind=MailEventKind.COMPLAINT)
    failed_delivery("kapot@example.org", newsletter)
    reminder = failed_reminder()
    reminder.enrolment.person.email = "ilse@example.org"
    reminder.enrolment.person.save()

    response = staff_client.get(URL, {"kind": kind})
    assert {f"{source}:{email}" for source, email in listed(response)} == sources


def test_per_newsletter_only_that_campaigns_events_and_failed_sends(staff_client):
    spring, autumn = sent_newsletter("Voorjaar"), sent_newsletter("Najaar")
    bounce("weg@example.org", newsletter=spring)
    bounce("ander@example.org", newsletter=autumn)
    failed_delivery("kapot@example.org", spring)
    failed_delivery("stuk@example.org", autumn)
    failed_reminder()

    response = staff_client.get(URL, {"newsletter": spring.pk})
    assert sorted(listed(response)) == [("delivery", "kapot@example.org"), ("event", "weg@example.org")]

    detail = staff_client.get(reverse("dissemination:newsletter_detail", args=[spring.pk])).content.decode()
    assert f"{URL}?newsletter={spring.pk}" in detail


def test_per_address_and_per_period(staff_client):
    now = timezone.now()
    bounce("anna@example.org", at=now - timedelta(days=40))
    bounce("bob@example.org", at=now - timedelta(days=3))
    bounce("ANNA.de.vries@example.org", at=now - timedelta(days=1))

    by_address = staff_client.get(URL, {"address": "anna"})
    assert {email for _source, email in listed(by_address)} == {"anna@example.org", "ANNA.de.vries@example.org"}

    since = (now - timedelta(days=7)).date().isoformat()
    until = (now - timedelta(days=2)).date().isoformat()
    by_period = staff_client.get(URL, {"since": since, "until": until})
    assert listed(by_period) == [("event", "bob@example.org")]

    reversed_period = staff_client.get(URL, {"since": until, "until": since})
    assert reversed_period.context["form"].errors["until"]


def test_the_page_is_paginated(staff_client):
    for number in range(53):
        bounce(f"adres{number}@example.org", at=timezone.now() - timedelta(minutes=number))
    first = staff_client.get(URL)
    second = staff_client.get(URL, {"page": 2})
    assert len(first.context["rows"]) == 50
    assert listed(second) == [("event", f"adres{number}@example.org") for number in (50, 51, 52)]


def make_rows(count):
    newsletter = sent_newsletter()
    for number in range(count):
        bounce(f"b{number}@example.org", newsletter=newsletter)
        failed_delivery(f"d{number}@example.org", newsletter)
        failed_reminder()
        failed_notice()


@pytest.mark.parametrize("count", [1, 12])
def test_the_page_runs_a_fixed_number_of_queries(staff_client, django_assert_num_queries, count):
    make_rows(count)
    # The user, the count, the page (one UNION of all sources), the newsletters of the filter.
    with django_assert_num_queries(4):
        response = staff_client.get(URL, {"kind": "", "address": "example"})
    assert response.context["page_obj"].paginator.count == 4 * count


# --- send again ---------------------------------------------------------------------------------


def send_again(client, source, pk, **data):
    return client.post(reverse("dissemination:mail_event_send_again", args=[source, pk]), data)


def test_a_failed_reminder_is_sent_again_once_however_often_it_is_clicked(
    staff_client, django_capture_on_commit_callbacks, mailoutbox
):
    reminder = failed_reminder()
    reminder.meeting.starts_at = timezone.now() + timedelta(days=2)
    reminder.meeting.ends_at = reminder.meeting.starts_at + timedelta(hours=2)
    reminder.meeting.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = send_again(staff_client, "trainings.message", reminder.pk, next=f"{URL}?kind=failed_service_mail")
    assert response.status_code == 302
    assert response.url == f"{URL}?kind=failed_service_mail"
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SENT
    assert [message.to for message in mailoutbox] == [[reminder.enrolment.person.email]]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send_again(staff_client, "trainings.message", reminder.pk)
    assert callbacks == []
    assert len(mailoutbox) == 1
    assert staff_client.get(URL).context["rows"] == []  # no longer failed


def test_two_clicks_before_the_worker_runs_queue_one_send(staff_client, django_capture_on_commit_callbacks):
    reminder = failed_reminder()
    with django_capture_on_commit_callbacks() as first:
        send_again(staff_client, "trainings.message", reminder.pk)
    with django_capture_on_commit_callbacks() as second:
        send_again(staff_client, "trainings.message", reminder.pk)
    assert (len(first), len(second)) == (1, 0)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error) == (MessageStatus.PENDING, 0, "")
    assert reminder.due_at <= timezone.now()


def test_a_failed_certification_mail_is_sent_again(staff_client, django_capture_on_commit_callbacks, mailoutbox):
    notice = failed_notice()
    with django_capture_on_commit_callbacks(execute=True):
        send_again(staff_client, "ambassadors.notice", notice.pk)
    notice.refresh_from_db()
    assert notice.status == MessageStatus.SENT
    assert [message.to for message in mailoutbox] == [[notice.certification.holder.email]]


def test_an_unsent_invitation_is_sent_again_once(staff_client, django_capture_on_commit_callbacks, mailoutbox):
    invitation = unsent_invitation()
    with django_capture_on_commit_callbacks(execute=True):
        send_again(staff_client, "accounts.invitation", invitation.pk)
        send_again(staff_client, "accounts.invitation", invitation.pk)
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert [message.to for message in mailoutbox] == [[invitation.email]]


def test_send_again_refuses_an_unknown_row_or_source_and_anyone_but_staff(client, staff_client):
    reminder = failed_reminder()
    assert send_again(staff_client, "trainings.message", reminder.pk + 1000).status_code == 404
    assert send_again(staff_client, "elders", reminder.pk).status_code == 404
    trainer = UserFactory(roles=["trainer"])
    client.force_login(trainer)
    assert send_again(client, "trainings.message", reminder.pk).status_code == 403
    assert client.get(URL).status_code == 403
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.FAILED


def test_send_again_goes_back_only_to_a_page_of_this_site(staff_client):
    reminder = failed_reminder()
    response = send_again(staff_client, "trainings.message", reminder.pk, next="https://elders.example/")
    assert response.url == URL


# --- sorting (issue 17) ----------------------------------------------------------------------------


def test_the_mail_events_sort_by_time_kind_and_address_across_sources(staff_client):
    now = timezone.now()
    newsletter = sent_newsletter()
    bounce("b@example.org", newsletter=newsletter, at=now - timedelta(days=3))
    bounce("c@example.org", kind=MailEventKind.COMPLAINT, at=now - timedelta(days=1))
    failed_delivery("a@example.org", newsletter)  # claimed now
    invitation = unsent_invitation()  # an hour ago

    def emails(**query):
        return [email for _source, email in listed(staff_client.get(URL, query))]

    assert emails() == ["a@example.org", invitation.email, "c@example.org", "b@example.org"]  # newest first
    assert emails(sort="when") == ["b@example.org", "c@example.org", invitation.email, "a@example.org"]
    assert emails(sort="email") == ["a@example.org", "b@example.org", "c@example.org", invitation.email]
    assert emails(sort="-email", kind="bounce") == ["b@example.org"]
    kinds = [row["ev_kind"] for row in staff_client.get(URL, {"sort": "kind"}).context["rows"]]
    assert kinds == sorted(kinds)
    assert emails(sort="size") == emails()  # an unknown key: the default order
    html = staff_client.get(URL, {"sort": "email", "kind": "bounce"}).content.decode()
    assert 'aria-sort="ascending"><a class="text-nowrap fw-semibold" href="?sort=-email&amp;kind=bounce"' in html
    assert '<option value="email" selected>' in html  # the filter form keeps the order (and sorts on a phone)


def test_a_sorted_page_two_holds_the_rest(staff_client):
    for number in range(53):
        bounce(f"adres{number:02d}@example.org", at=timezone.now() - timedelta(minutes=number))
    second = staff_client.get(URL, {"page": 2, "sort": "-email"})
    assert listed(second) == [("event", f"adres{number:02d}@example.org") for number in (2, 1, 0)]
    assert staff_client.get(URL, {"page": 3}).status_code == 404


@pytest.mark.parametrize("count", [1, 15])
def test_a_sorted_page_runs_a_fixed_number_of_queries(staff_client, django_assert_num_queries, count):
    make_rows(count)
    # as unsorted: the user, the count, the page (one UNION of all sources), the newsletters of the filter
    with django_assert_num_queries(4):
        response = staff_client.get(URL, {"sort": "-email", "address": "example"})
    emails = [row["ev_email"] for row in response.context["rows"]]
    assert emails == sorted(emails, reverse=True)
    assert response.context["page_obj"].paginator.count == 4 * count
