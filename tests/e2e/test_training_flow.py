"""A run from scheduling to certificate: staff schedule it, a supervisor enrols on the public
page, the trainer registers attendance on a phone, and the participant downloads the certificate."""

import re
from datetime import timedelta

from django.core import mail
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import HOME_URL, PHONE, log_in, screenshot
from tests.factories import CertificationFactory, LocationFactory, OrganisationFactory, UserFactory
from trainings.enums import EnrolmentStatus
from trainings.models import Certificate, Enrolment, Meeting, Training

TITLE = "Mentorwijs Tiel e2e"


def test_schedule_enrol_register_attendance_and_download_certificate(open_context, settings, live_server):
    settings.SITE_URL = live_server.url
    staff = UserFactory(roles=["staff"], two_factor=True)
    trainer = UserFactory(first_name="Fatima", last_name="Trainer", roles=["trainer"])
    location = LocationFactory(name="Werkzaak Rivierenland", city="Tiel")
    OrganisationFactory(name="Bakkerij De Lingehoeve", city="Tiel")

    # Staff schedule a run of five weekly meetings, the first one a week from now.
    staff_page = open_context().new_page()
    log_in(staff_page, staff.email, totp_secret=staff.totp_secret)
    expect(staff_page).to_have_url(HOME_URL)
    staff_page.goto("/trainingen/nieuw/")
    form = staff_page.locator("main form")
    form.locator('[name="title"]').fill(TITLE)
    form.locator('[name="region"]').select_option(label="Rivierenland")
    form.locator('[name="host_organisation_name"]').fill("Bakkerij")
    staff_page.get_by_role("option", name=re.compile("Bakkerij De Lingehoeve")).click()
    first = timezone.localdate() + timedelta(weeks=1)
    form.locator('[name="first_meeting_date"]').fill(first.isoformat())
    form.locator('[name="first_meeting_start"]').fill("18:00")
    form.locator('[name="first_meeting_end"]').fill("21:00")
    form.locator('[name="location"]').select_option(label=str(location))
    screenshot(staff_page, "training-create")
    form.locator('button[type="submit"]').click()
    training = Training.objects.get(title=TITLE)
    assert training.host_organisation.name == "Bakkerij De Lingehoeve"
    expect(staff_page).to_have_url(re.compile(rf"/trainingen/{training.pk}/bijeenkomsten/$"))
    assert list(training.meetings.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    starts = list(training.meetings.order_by("number").values_list("starts_at", flat=True))
    assert [(later - earlier).days for earlier, later in zip(starts, starts[1:], strict=False)] == [7, 7, 7, 7]

    # Open it for enrolment, and give it a (certified) lead trainer on the assignments page.
    staff_page.goto(f"/trainingen/{training.pk}/bewerken/")
    form = staff_page.locator("main form")
    form.locator('[name="status"]').select_option("open")
    form.locator('button[type="submit"]').click()
    expect(staff_page).to_have_url(re.compile(rf"/trainingen/{training.pk}/$"))
    training.refresh_from_db()
    assert training.status == "open"
    CertificationFactory(holder=trainer)
    staff_page.get_by_test_id("assignments-link").click()
    form = staff_page.get_by_test_id("add-form")
    form.locator('[name="trainer"]').select_option(label=str(trainer))
    form.locator('[name="role"]').select_option("lead")
    form.locator('button[type="submit"]').click()
    expect(staff_page.get_by_test_id("assignment")).to_have_count(1)
    assert list(training.trainers.all()) == [trainer]

    # A supervisor enrols on the public page, without an account, on a phone.
    visitor = open_context(viewport=PHONE).new_page()
    visitor.goto("/trainingen/aanbod/")
    visitor.locator("article, .card", has_text=TITLE).get_by_role("link", name="Inschrijven").click()
    form = visitor.locator("main form")
    form.locator('[name="first_name"]').fill("Anouk")
    form.locator('[name="last_name"]').fill("Bakker")
    form.locator('[name="email"]').fill("anouk.bakker@example.org")
    form.locator('[name="organisation_name"]').fill("Bakkerij De Lingehoeve")
    visitor.get_by_role("option", name=re.compile("Bakkerij De Lingehoeve")).click()
    form.locator('[name="source"]').select_option("alumni")
    form.locator('[name="consent"]').check()
    screenshot(visitor, "public-enrol")
    form.locator('button[type="submit"]').click()
    # The page after enrolling only says "check your mail": the personal link is in the mail alone.
    expect(visitor).to_have_url(re.compile(rf"/trainingen/aanbod/{training.pk}/ingeschreven/$"))
    screenshot(visitor, "public-enrolled")
    enrolment = Enrolment.objects.get(training=training, person__email="anouk.bakker@example.org")
    assert enrolment.status == EnrolmentStatus.REGISTERED
    assert enrolment.person.organisation.name == "Bakkerij De Lingehoeve"
    assert enrolment.source == "alumni"
    confirmation = next(m for m in mail.outbox if m.to == ["anouk.bakker@example.org"])
    assert [name for name, _content, _type in confirmation.attachments] == ["mentorwijs.ics"]
    personal_url = re.search(rf"{re.escape(live_server.url)}/trainingen/mijn/[^/\s]+/", confirmation.body).group(0)
    assert personal_url == f"{live_server.url}/trainingen/mijn/{enrolment.token}/"

    # The participant opens the personal link from the mail.
    visitor.goto(personal_url)
    expect(visitor.get_by_test_id("enrolment-status")).to_be_visible()
    expect(visitor.get_by_test_id("participant-feed")).to_be_visible()
    screenshot(visitor, "personal-page")

    # Time passes: move the run's meetings six weeks back in the database, so that all five lie in
    # the past and the trainer can register attendance in this test without waiting.
    Meeting.objects.filter(training=training).update(
        starts_at=F("starts_at") - timedelta(weeks=6), ends_at=F("ends_at") - timedelta(weeks=6)
    )

    # The trainer registers attendance on a phone: present at four of the five meetings.
    trainer_page = open_context(viewport=PHONE).new_page()
    log_in(trainer_page, trainer.email, totp_secret=trainer.totp_secret)
    expect(trainer_page).to_have_url(HOME_URL)
    for number in (1, 2, 3, 5):
        meeting = training.meetings.get(number=number)
        trainer_page.goto(f"/trainingen/bijeenkomst/{meeting.pk}/aanwezigheid/")
        row = trainer_page.locator(".attendance-row", has_text="Anouk Bakker")
        row.get_by_text("Aanwezig", exact=True).click()
        if number == 1:
            screenshot(trainer_page, "attendance")
        trainer_page.get_by_role("button", name="Aanwezigheid opslaan").click()
        expect(trainer_page.locator(".alert-success")).to_be_visible()
    meeting = training.meetings.get(number=4)
    trainer_page.goto(f"/trainingen/bijeenkomst/{meeting.pk}/aanwezigheid/")
    row = trainer_page.locator(".attendance-row", has_text="Anouk Bakker")
    row.get_by_text("Afwezig", exact=True).click()
    row.locator('input[type="text"]').fill("Eigen bedrijf, drukke week")
    trainer_page.get_by_role("button", name="Aanwezigheid opslaan").click()
    expect(trainer_page.locator(".alert-success")).to_be_visible()

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    certificate = Certificate.objects.get(enrolment=enrolment)

    # The participant opens their personal link again and downloads the certificate.
    visitor.goto(personal_url)
    expect(visitor.get_by_test_id("personal-certificate")).to_contain_text(certificate.code)
    screenshot(visitor, "personal-page-completed")
    with visitor.expect_download() as download_info:
        visitor.get_by_role("link", name=re.compile("Download het certificaat")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # Anyone can check the code.
    visitor.goto(f"/trainingen/certificaat/controleren/?code={certificate.code.lower()}")
    expect(visitor.locator("main")).to_contain_text("Anouk Bakker")
