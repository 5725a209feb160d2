"""The staff page of mail events, at desktop and phone width: a bounce, a complaint, a failed
newsletter and a failed reminder; the reminder is sent again from the page."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from dissemination.enums import DeliveryStatus, MailEventKind, NewsletterStatus
from dissemination.models import Delivery, MailEvent
from tests.e2e.helpers import HOME_URL, log_in, screenshot
from tests.factories import (
    EnrolmentFactory,
    MailingListFactory,
    NewsletterFactory,
    SubscriberFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.enums import MessageStatus
from trainings.models import ScheduledMessage


def test_mail_events_page(page):
    staff = UserFactory(first_name="Sanne", roles=["staff"], two_factor=True)
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)
    now = timezone.now()
    newsletter = NewsletterFactory(
        subject="Nieuwsbrief voorjaar 2027", status=NewsletterStatus.SENT, lists=[MailingListFactory()]
    )
    anna = SubscriberFactory(email="anna.de.vries@voorbeeldschool.nl")
    delivery = Delivery.objects.create(newsletter=newsletter, subscriber=anna, status=DeliveryStatus.SENT)
    MailEvent.objects.create(
        subscriber=anna,
        kind=MailEventKind.HARD_BOUNCE,
        delivery=delivery,
        detail="550 5.1.1 <anna.de.vries@voorbeeldschool.nl>: Recipient address rejected: User unknown",
        at=now - timedelta(hours=3),
    )
    MailEvent.objects.create(
        subscriber=SubscriberFactory(email="bert@gemeente.example.nl"),
        kind=MailEventKind.COMPLAINT,
        detail="abuse report",
        at=now - timedelta(days=1),
    )
    Delivery.objects.create(
        newsletter=newsletter,
        subscriber=SubscriberFactory(email="carla@bedrijf.example.nl"),
        status=DeliveryStatus.FAILED,
        claimed_at=now - timedelta(hours=2),
        last_error="SMTPRecipientsRefused: 550 mailbox unavailable",
    )
    enrolment = EnrolmentFactory(training=TrainingFactory(meetings=1))
    meeting = enrolment.training.meetings.first()
    meeting.starts_at, meeting.ends_at = now + timedelta(days=2), now + timedelta(days=2, hours=2)
    meeting.save()
    reminder = ScheduledMessage.objects.create(
        kind="meeting_reminder",
        status=MessageStatus.FAILED,
        due_at=now - timedelta(hours=1),
        enrolment=enrolment,
        meeting=meeting,
        attempts=5,
        last_error="SMTPDataError: 554 5.7.1 message refused",
    )

    # The newsletter page links here (tests/dissemination/test_mail_events.py); its preview iframe
    # trips the CSP check of this tier, so the test opens the filtered page itself.
    page.goto(f"/relaties/mailmeldingen/?newsletter={newsletter.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mailmeldingen")
    expect(page.get_by_test_id("mail-event-row")).to_have_count(2)  # this newsletter's only

    page.goto("/relaties/mailmeldingen/")
    rows = page.get_by_test_id("mail-event-row")
    expect(rows).to_have_count(4)
    expect(rows.filter(has_text="bert@gemeente.example.nl")).to_contain_text("Klacht")
    screenshot(page, "mail-events")
    page.set_viewport_size({"width": 390, "height": 844})
    cards = page.get_by_test_id("mail-event-cards").locator("li")
    expect(cards).to_have_count(4)
    expect(cards.first).to_contain_text(enrolment.person.email)  # the address in view, not off to the side
    page.set_viewport_size({"width": 1280, "height": 900})

    rows.filter(has_text=enrolment.person.email).get_by_role("button", name="Opnieuw versturen").click()
    expect(page.locator(".alert")).to_contain_text("staat weer klaar")
    expect(page.get_by_test_id("mail-event-row")).to_have_count(3)
    reminder.refresh_from_db()
    assert reminder.status in (MessageStatus.PENDING, MessageStatus.SENT)
