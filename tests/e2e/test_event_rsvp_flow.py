"""Staff invite the past participants of a region to an event at once (after a preview); an
ambassador, who is one of them, answers the invitation from the mail; staff see the answer on the
guest list."""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from dissemination.models import Event, EventGuest, EventMail, Person, Region
from tests.e2e.helpers import HOME_URL, PHONE, log_in, screenshot
from tests.factories import (
    AmbassadorFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PersonFactory,
    TrainingFactory,
    UserFactory,
)


def test_an_ambassador_answers_an_event_invitation(page, open_context, settings, live_server):
    settings.SITE_URL = live_server.url  # the link in the mail points at this server
    staff = UserFactory(first_name="Sanne", last_name="Jansen", roles=["staff"], two_factor=True)
    rivierenland = Region.objects.get(name="Rivierenland")
    school = OrganisationFactory(name="ROC Rivor", region=rivierenland)

    # The ambassador is a supervisor who completed a run in Rivierenland: an account with the
    # ambassador role, and in the relations the Person who enrolled (Ambassador links both).
    user = UserFactory(first_name="Fenna", last_name="Brouwer", email="fenna.brouwer@example.org", roles=["ambassador"])
    person = PersonFactory(first_name="Fenna", last_name="Brouwer", email=user.email, organisation=school)
    AmbassadorFactory(user=user, person=person, organisation=school)
    run = TrainingFactory(region=rivierenland, status="completed")
    EnrolmentFactory(training=run, person=person, status="completed")
    colleague = PersonFactory(first_name="Daan", last_name="Verhoef", organisation=school)
    EnrolmentFactory(training=run, person=colleague, status="completed")
    no_address = PersonFactory(first_name="Lotte", last_name="Zonderpost", email="", organisation=school)
    EnrolmentFactory(training=run, person=no_address, status="completed")
    event = Event.objects.create(
        kind="inspiration_meeting",
        title="Inspiratiemiddag Mentorwijs",
        date=timezone.localdate() + timedelta(days=10),
        place="Tiel, Agnietenhof",
        region=rivierenland,
        description="Twee jaar Mentorwijs in Rivierenland: ervaringen van werkgevers en begeleiders.",
    )

    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)
    page.goto(f"/relaties/evenementen/{event.pk}/")
    page.get_by_test_id("invite-bulk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Veel mensen tegelijk uitnodigen")
    choice = page.get_by_test_id("bulk-invite-choice")
    choice.get_by_label("Oud-deelnemers: iedereen die een training heeft afgerond").check()
    choice.locator('select[name="region"]').select_option(label="Rivierenland")
    choice.get_by_role("button", name="Laat zien wie uitgenodigd wordt").click()

    preview = page.get_by_test_id("bulk-invite-preview")
    expect(preview.get_by_role("heading", level=2)).to_have_text("2 personen worden uitgenodigd")
    expect(preview.get_by_test_id("to-invite").locator("li")).to_have_count(2)
    expect(preview.get_by_test_id("to-invite")).to_contain_text("Fenna Brouwer")
    expect(preview.get_by_test_id("skipped-summary")).to_contain_text("1 geen e-mailadres")
    assert not EventGuest.objects.exists()  # the preview invites nobody
    screenshot(page, "event-bulk-invite-preview")
    preview.get_by_role("button", name="2 personen uitnodigen").click()

    expect(page).to_have_url(re.compile(rf"/relaties/evenementen/{event.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("2 personen uitgenodigd")
    expect(page.get_by_test_id("invited-count")).to_have_text("2")
    expect(page.get_by_test_id("unanswered-count")).to_have_text("2")

    # The invitations left when the round was committed (Celery runs eagerly in tests).
    assert EventMail.objects.filter(status="sent").count() == 2
    [message] = [message for message in mail.outbox if message.to == [user.email]]
    assert message.subject.startswith("[Mentorwijs] Uitnodiging: Inspiratiemiddag Mentorwijs op ")
    assert "Hallo Fenna," in message.body
    [link] = re.findall(r"https?://\S+/evenement/\S+/", message.body)
    assert link.startswith(f"{live_server.url}/evenement/")

    # The ambassador opens the link on a phone, without logging in, and says yes.
    guest_page = open_context(viewport=PHONE).new_page()
    response = guest_page.goto(link)
    assert response.status == 200
    expect(guest_page.get_by_role("heading", level=1)).to_have_text("Inspiratiemiddag Mentorwijs")
    expect(guest_page.get_by_test_id("rsvp")).to_contain_text("Een uitnodiging voor Fenna")
    screenshot(guest_page, "event-rsvp")
    guest_page.get_by_role("button", name="Ja, ik kom").click()
    expect(guest_page.get_by_test_id("rsvp-saved")).to_contain_text("we hebben genoteerd dat je komt")
    screenshot(guest_page, "event-rsvp-answered")

    guest = EventGuest.objects.get(event=event, person=person)
    assert guest.is_coming
    assert guest.rsvp_at is not None
    assert EventGuest.objects.get(event=event, person=colleague).rsvp == ""
    assert not Person.objects.filter(pk=no_address.pk, event_guests__isnull=False).exists()

    # Staff see the answer on the event page.
    page.reload()
    expect(page.get_by_test_id("coming-count")).to_have_text("1")
    expect(page.get_by_test_id("unanswered-count")).to_have_text("1")
    row = page.get_by_test_id(f"guest-{guest.pk}")
    expect(row).to_contain_text("Fenna Brouwer")
    expect(row).to_contain_text("komt")
    screenshot(page, "event-detail-answers")

    # The guest list page shows the answers beside the names too.
    page.goto(f"/relaties/evenementen/{event.pk}/gasten/")
    expect(page.get_by_test_id("guests")).to_contain_text("komt")
    screenshot(page, "event-guests")
