"""The first week of a fresh install, in the browser: from an empty database to a run with
certificates, an outreach contact and a sent newsletter.

The one command is `manage.py createstaff`; from then on everything goes through the pages of the
people who do the work: no Django admin (a test checks that no request went there), no shell, no
factories. The regions come with the migrations, as on a real install. Six weeks pass by moving the
clock of the whole process (this test, the live server, Celery's eager tasks) with time-machine: no
row is changed behind the pages' back, and everyone logs in again, as their sessions have lapsed."""

import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from ambassadors.enums import CertificationStatus
from ambassadors.models import Certification, CertificationEvidence
from dissemination.enums import SubscriberStatus
from dissemination.models import MailingList, Newsletter, OutreachContact, Subscriber
from mentorwijs.accounts.models import User
from tests.e2e.helpers import HOME_URL, PHONE, SETUP_URL, log_in, screenshot, set_up_totp
from trainings.enums import EnrolmentStatus
from trainings.models import Certificate, Enrolment, Location, Training

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PASSWORDS = {
    "sanne@werkzaak.example": "Rivierenland-Staf-2031!",
    "tessa@trainers.example": "Lingedijk-Trainer-2031!",
    "ruud@opleiders.example": "Waalbrug-Opleider-2031!",
    "bram@ambassadeurs.example": "Betuwe-Ambassadeur-2031!",
}
TITLE = "Mentorwijs Tiel najaar"


@pytest.fixture(autouse=True)
def _evidence_in_tmp(monkeypatch, tmp_path):
    monkeypatch.setattr(CertificationEvidence._meta.get_field("file"), "storage", FileSystemStorage(tmp_path))


@pytest.fixture
def clock():
    """Move the process's clock forward (wall-clock time only: asyncio's monotonic clock runs on)."""
    travels = []

    def move_on(delta: timedelta) -> None:
        travel = time_machine.travel(timezone.now() + delta, tick=True)
        travel.start()
        travels.append(travel)

    yield move_on
    for travel in reversed(travels):
        travel.stop()


@pytest.fixture
def browse(open_context):
    """Open a browser context (a person on their own device) and record every address it asks for."""
    requested: list[str] = []

    def _open(**kwargs):
        context = open_context(**kwargs)
        context.on("request", lambda request: requested.append(request.url))
        return context.new_page()

    _open.requested = requested
    return _open


def mail_to(address: str, subject_part: str):
    return [m for m in mail.outbox if m.to == [address] and subject_part in m.subject][-1]


def link_in(message, path_part: str) -> str:
    return re.search(rf"https?://\S+{path_part}\S*", message.body).group(0).rstrip(".,)>")


def accept_invitation(page, link: str, email: str, last_name: str) -> str:
    """The invitee opens the link, chooses a name and password and sets up the authenticator app;
    returns the app's secret."""
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom bij Mentorwijs")
    page.locator('input[name="last_name"]').fill(last_name)
    page.locator('input[name="password1"]').fill(PASSWORDS[email])
    page.locator('input[name="password2"]').fill(PASSWORDS[email])
    page.get_by_role("button", name="Maak mijn account aan").click()
    expect(page).to_have_url(SETUP_URL)
    secret = set_up_totp(page, PASSWORDS[email])
    page.get_by_test_id("continue").click()
    expect(page).to_have_url(HOME_URL)
    return secret


def request_certification(page, level: str, note: str) -> None:
    page.goto("/ambassadeurs/mijn-certificering/")
    page.get_by_role("link", name=re.compile("aanvragen", re.I)).first.click()
    form = page.locator("main form")
    form.locator('[name="level"]').select_option(level)
    form.locator('[name="note"]').fill(note)
    form.locator('[name="files"]').set_input_files({"name": "bewijs.pdf", "mimeType": "application/pdf", "buffer": PDF})
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/ambassadeurs/certificering/\d+/$"))


def open_account_menu(page, item: str) -> None:
    """Staff's tools sit in the account menu, under their first name."""
    page.goto("/")
    page.get_by_role("button", name="Sanne", exact=True).click()
    page.locator(".dropdown-menu").get_by_role("link", name=item).click()


def open_settings(page, name: str) -> None:
    open_account_menu(page, "Instellingen")
    page.get_by_test_id("settings-links").locator("a", has=page.get_by_text(name, exact=True)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def open_account(page, name: str) -> None:
    open_account_menu(page, "Team en accounts")
    page.locator("main table").get_by_role("link", name=re.compile(name)).click()


def test_the_first_week_from_an_empty_database(browse, clock, settings, live_server):
    settings.SITE_URL = live_server.url
    assert (User.objects.count(), Training.objects.count(), MailingList.objects.count()) == (0, 0, 0)

    # Day 1. The operator makes the first staff member on the server; mail may not work yet, so the
    # command prints the link too.
    out = StringIO()
    call_command("createstaff", "sanne@werkzaak.example", "--first-name", "Sanne", stdout=out)
    link = re.search(r"https?://\S+/team/uitnodiging/\S+/", out.getvalue()).group(0)
    staff = browse()
    sanne_secret = accept_invitation(staff, link, "sanne@werkzaak.example", "Jansen")
    sanne = User.objects.get(email="sanne@werkzaak.example")
    assert (sanne.roles, sanne.has_two_factor, sanne.is_superuser) == ({"staff"}, True, False)
    # The home page lists what a fresh install needs before the first run, each step a link.
    expect(staff.get_by_test_id("first-steps").locator("[data-step]:not([data-done]) a")).to_have_count(5)
    screenshot(staff, "first-week-staff-home")

    # Staff invite a trainer, a master trainer and an ambassador from the team page.
    invitees = [
        ("tessa@trainers.example", "Tessa", "Trainer"),
        ("ruud@opleiders.example", "Ruud", "Opleider"),
        ("bram@ambassadeurs.example", "Bram", "Ambassadeur"),
    ]
    for email, first_name, role in invitees:
        open_account_menu(staff, "Team en accounts")
        staff.get_by_role("link", name="Iemand uitnodigen").click()
        form = staff.locator("main form")
        form.locator('input[name="email"]').fill(email)
        form.locator('input[name="first_name"]').fill(first_name)
        form.get_by_label(role, exact=True).check()
        form.get_by_role("button", name="Uitnodiging versturen").click()
        expect(staff.locator(".messages")).to_contain_text(f"Uitnodiging verstuurd naar {email}.")
    secrets = {}
    for email, first_name, _role in invitees:
        invitation = mail_to(email, "uitgenodigd")
        secrets[email] = accept_invitation(
            browse(), link_in(invitation, "/team/uitnodiging/"), email, {"Tessa": "de Vries"}.get(first_name, "Bakker")
        )
    tessa, ruud, bram = (User.objects.get(email=email) for email, _n, _r in invitees)
    assert (tessa.roles, ruud.roles, bram.roles) == ({"trainer"}, {"master_trainer"}, {"ambassador"})

    # A location and a mailing list, from the settings pages.
    open_settings(staff, "Locaties")
    staff.get_by_role("link", name="Nieuwe locatie").click()
    form = staff.locator("main form")
    form.locator('[name="name"]').fill("Werkzaak Rivierenland")
    form.locator('[name="address"]').fill("Kellenseweg 4")
    form.locator('[name="postcode"]').fill("4004 JD")
    form.locator('[name="city"]').fill("Tiel")
    form.locator('[name="region"]').select_option(label="Rivierenland")
    form.locator('button[type="submit"]').click()
    location = Location.objects.get(name="Werkzaak Rivierenland")
    assert (location.city, location.archived_at) == ("Tiel", None)

    open_settings(staff, "Verzendlijsten")
    staff.get_by_test_id("mailing-list-create").click()
    form = staff.locator("main form")
    form.locator('[name="name"]').fill("Werkgevers")
    form.locator('[name="description"]').fill("Nieuws voor werkgevers, vier keer per jaar.")
    form.locator('[name="public"]').check()
    form.locator('button[type="submit"]').click()
    expect(staff.get_by_test_id("mailing-list-row")).to_have_count(1)
    employers = MailingList.objects.get(name="Werkgevers")
    assert employers.public

    # Day 2. Certification starts at the root of the lineage: the master trainer asks for a master
    # trainer's certification, and staff approve it as an original (founding) trainer, certified by
    # nobody. Then the trainer asks, and the master trainer approves.
    master = browse()
    log_in(master, "ruud@opleiders.example", PASSWORDS["ruud@opleiders.example"], secrets["ruud@opleiders.example"])
    request_certification(master, "master_trainer", "Opleider van het eerste uur, handboek 2024.")
    founding = Certification.objects.get(holder=ruud)
    staff.goto("/")
    staff.locator("[data-testid=nav] [data-nav=quality]").click()
    staff.locator(f'main a[href$="/certificering/{founding.pk}/beoordelen/"]').first.click()
    approve = staff.locator('main form:has(input[name="action"][value="approve"])')
    approve.locator('[name="approve-original"]').check()
    approve.locator('button[type="submit"]').click()
    expect(staff.locator(".alert-success")).to_be_visible()
    founding.refresh_from_db()
    assert (founding.status, founding.certified_by, founding.reviewed_by) == (CertificationStatus.APPROVED, None, sanne)

    trainer = browse(viewport=PHONE)
    log_in(trainer, "tessa@trainers.example", PASSWORDS["tessa@trainers.example"], secrets["tessa@trainers.example"])
    trainer.locator("[data-testid=task-certification] a").click()
    request_certification(trainer, "trainer", "Train-de-trainer gevolgd in Tiel.")
    certification = Certification.objects.get(holder=tessa)
    master.goto("/")
    master.locator("[data-testid=task-reviews] a").click()
    master.locator(f'main a[href$="/certificering/{certification.pk}/beoordelen/"]').first.click()
    master.locator('main form:has(input[name="action"][value="approve"]) button[type="submit"]').click()
    expect(master.locator(".alert-success")).to_be_visible()
    certification.refresh_from_db()
    assert (certification.status, certification.certified_by) == (CertificationStatus.APPROVED, ruud)

    # Day 3. Staff schedule a run of five meetings at the new location, with room for one (so the
    # second supervisor lands on the waiting list), open it and give it its trainer.
    staff.goto("/")
    staff.locator("[data-testid=nav] [data-nav=trainings]").click()
    staff.get_by_role("link", name="Nieuwe training").click()
    form = staff.locator("main form")
    form.locator('[name="title"]').fill(TITLE)
    form.locator('[name="region"]').select_option(label="Rivierenland")
    form.locator('[name="capacity"]').fill("1")
    first = timezone.localdate() + timedelta(weeks=1)
    form.locator('[name="first_meeting_date"]').fill(first.isoformat())
    form.locator('[name="first_meeting_start"]').fill("18:00")
    form.locator('[name="first_meeting_end"]').fill("21:00")
    form.locator('[name="location"]').select_option(label=str(location))
    form.locator('button[type="submit"]').click()
    training = Training.objects.get(title=TITLE)
    assert (training.capacity, training.meetings.count()) == (1, 5)
    assert set(training.meetings.values_list("location", flat=True)) == {location.pk}
    staff.goto(f"/trainingen/{training.pk}/bewerken/")
    form = staff.locator("main form")
    form.locator('[name="status"]').select_option("open")
    form.locator('button[type="submit"]').click()
    expect(staff).to_have_url(re.compile(rf"/trainingen/{training.pk}/$"))
    staff.get_by_test_id("assignments-link").click()
    form = staff.locator('main form:has(input[name="action"][value="add"])')
    form.locator('[name="trainer"]').select_option(label=str(tessa))
    form.locator('[name="role"]').select_option("lead")
    form.locator('button[type="submit"]').click()
    expect(staff.locator(".alert-success")).to_be_visible()
    assert list(training.trainers.all()) == [tessa]

    # Two supervisors enrol on the public page: the first gets the place, the second waits.
    for first_name, last_name, email in [
        ("Anouk", "Bakker", "anouk@lingehoeve.example"),
        ("Joost", "Vermeer", "joost@fruitteelt.example"),
    ]:
        visitor = browse(viewport=PHONE)
        visitor.goto("/trainingen/aanbod/")
        card = visitor.locator("article, .card", has_text=TITLE)
        card.get_by_role("link", name=re.compile("Inschrijven|wachtlijst", re.I)).click()
        form = visitor.locator("main form")
        form.locator('[name="first_name"]').fill(first_name)
        form.locator('[name="last_name"]').fill(last_name)
        form.locator('[name="email"]').fill(email)
        form.locator('[name="organisation_name"]').fill(f"Bedrijf van {first_name}")
        form.locator('[name="organisation_city"]').fill("Tiel")
        form.locator('[name="organisation_target_group"]').select_option("employers")
        form.locator('[name="source"]').select_option("alumni")
        form.locator('[name="consent"]').check()
        form.locator('button[type="submit"]').click()
        expect(visitor).to_have_url(re.compile(rf"/trainingen/aanbod/{training.pk}/ingeschreven/$"))
    anouk = Enrolment.objects.get(training=training, person__email="anouk@lingehoeve.example")
    joost = Enrolment.objects.get(training=training, person__email="joost@fruitteelt.example")
    assert (anouk.status, joost.status) == (EnrolmentStatus.REGISTERED, EnrolmentStatus.WAITLISTED)

    # Six weeks later all five meetings lie in the past. The trainer logs in again and records
    # attendance on a phone, present at four of five, and the participant completes with a certificate.
    clock(timedelta(weeks=6))
    log_in(trainer, "tessa@trainers.example", PASSWORDS["tessa@trainers.example"], secrets["tessa@trainers.example"])
    expect(trainer).to_have_url(HOME_URL)
    for number in (1, 2, 3, 4):
        meeting = training.meetings.get(number=number)
        trainer.goto(f"/trainingen/bijeenkomst/{meeting.pk}/aanwezigheid/")
        trainer.locator(".attendance-row", has_text="Anouk Bakker").get_by_text("Aanwezig", exact=True).click()
        trainer.get_by_role("button", name="Aanwezigheid opslaan").click()
        expect(trainer.locator(".alert-success")).to_be_visible()
    anouk.refresh_from_db()
    assert anouk.status == EnrolmentStatus.COMPLETED
    certificate = Certificate.objects.get(enrolment=anouk)
    personal = link_in(mail_to("anouk@lingehoeve.example", ""), "/trainingen/mijn/")
    visitor.goto(personal)
    expect(visitor.get_by_test_id("personal-certificate")).to_contain_text(certificate.code)

    # The ambassador logs a conversation with an employer that nobody had entered yet.
    ambassador = browse(viewport=PHONE)
    log_in(ambassador, "bram@ambassadeurs.example", PASSWORDS["bram@ambassadeurs.example"],
           secrets["bram@ambassadeurs.example"])  # fmt: skip
    ambassador.goto("/relaties/contacten/nieuw/")
    form = ambassador.locator("main form[data-testid=outreach-log-form]")
    form.locator('[name="organisation_name"]').fill("Kwekerij Het Zonnehof")
    form.locator('[name="organisation_city"]').fill("Kesteren")
    form.locator('[name="organisation_target_group"]').select_option("employers")
    form.locator('[name="organisation_region"]').select_option(label="Rivierenland")
    form.locator('[name="channel"]').select_option("conversation")
    form.locator('[name="stage"]').select_option("interested")
    form.locator('button[type="submit"]').click()
    expect(ambassador).to_have_url(re.compile(r"/relaties/contacten/$"))
    contact = OutreachContact.objects.get()
    assert (contact.logged_by, contact.organisation.name) == (bram, "Kwekerij Het Zonnehof")

    # A visitor signs up for the newsletter and confirms through the mail (double opt-in).
    reader = browse(viewport=PHONE)
    reader.goto("/nieuwsbrief/")
    expect(reader.get_by_label("Werkgevers")).to_be_checked()
    form = reader.get_by_test_id("signup-form")
    form.locator('[name="email"]').fill("lezer@zonnehof.example")
    form.locator('[name="first_name"]').fill("Lotte")
    form.locator('[name="last_name"]').fill("de Lezer")
    form.locator('[name="region"]').select_option(label="Rivierenland")
    form.locator('button[type="submit"]').click()
    subscriber = Subscriber.objects.get(email="lezer@zonnehof.example")
    assert subscriber.status == SubscriberStatus.PENDING
    assert (subscriber.first_name, subscriber.name) == ("Lotte", "Lotte de Lezer")
    assert subscriber.region.name == "Rivierenland"
    reader.goto(link_in(mail_to("lezer@zonnehof.example", ""), "/nieuwsbrief/bevestigen/"))
    reader.locator("main form button[type=submit]").click()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED

    # Staff write the first newsletter and send it now.
    log_in(staff, "sanne@werkzaak.example", PASSWORDS["sanne@werkzaak.example"], sanne_secret)
    staff.goto("/relaties/nieuwsbrieven/")
    staff.get_by_test_id("newsletter-create").click()
    form = staff.locator("main form").first
    form.locator('[name="subject"]').fill("Mentorwijs komt naar Tiel")
    form.locator('[name="body"]').fill("De eerste training in Tiel is gestart.")
    form.get_by_role("group", name="Lijsten").get_by_label("Werkgevers").check()
    form.get_by_role("button", name="Concept opslaan").click()
    newsletter = Newsletter.objects.get(subject="Mentorwijs komt naar Tiel")
    staff.get_by_test_id("newsletter-schedule").get_by_role("button", name="Inplannen").click()
    expect(staff.get_by_test_id("newsletter-status")).to_have_text("Verstuurd")
    sent = mail_to("lezer@zonnehof.example", "Mentorwijs komt naar Tiel")
    assert "De eerste training in Tiel is gestart." in sent.body
    assert sent.body.startswith("Hallo Lotte,\n")
    assert newsletter.deliveries.get().subscriber == subscriber

    # Day 5. The ambassador starts training others too: staff add the trainer role. And the trainer
    # moves to another job, so staff deactivate that account.
    open_account(staff, "Bram")
    staff.get_by_label("Trainer", exact=True).check()
    staff.get_by_role("button", name="Rollen opslaan").click()
    expect(staff.locator(".messages")).to_be_visible()
    bram = User.objects.get(pk=bram.pk)
    assert bram.roles == {"ambassador", "trainer"}

    open_account(staff, "Tessa")
    staff.get_by_test_id("deactivate").click()
    expect(staff.get_by_test_id("commitments")).to_contain_text(TITLE)  # the run she gave
    staff.get_by_test_id("confirm").click()
    expect(staff.locator(".messages")).to_be_visible()
    tessa.refresh_from_db()
    assert not tessa.is_active
    gone = browse()
    gone.goto("/accounts/login/")
    gone.locator('main input[name="login"]').fill("tessa@trainers.example")
    gone.locator('main input[name="password"]').fill(PASSWORDS["tessa@trainers.example"])
    gone.locator("main form button[type=submit]").click()
    expect(gone).not_to_have_url(HOME_URL)

    # Every first step is done, so the home page no longer lists them.
    staff.goto("/")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Welkom, Sanne")
    expect(staff.get_by_test_id("first-steps")).to_have_count(0)

    # Nobody needed the Django admin for any of it.
    assert not [url for url in browse.requested if "/beheer/" in url and "/beheer/mail/" not in url]
