"""A staff member writes to a run's participants and then cancels the run on its confirmation page,
sees who will be told, and undoes it while the notices still wait (issue 17)."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.e2e.helpers import HOME_URL, log_in, screenshot
from tests.factories import AssignmentFactory, CertificationFactory, EnrolmentFactory, TrainingFactory, UserFactory
from trainings.enums import EnrolmentStatus, MessageKind, MessageStatus, TrainingStatus
from trainings.models import Enrolment, RunMessage, ScheduledMessage

NAMES = [("Anouk", "de Vries"), ("Bram", "Jansen"), ("Cor", "van Dijk")]


def test_staff_write_to_a_run_then_cancel_it_and_undo(open_context, settings, live_server):
    settings.SITE_URL = live_server.url
    staff = UserFactory(first_name="Petra", last_name="Smit", roles=["staff"], two_factor=True)
    run = TrainingFactory(title="Mentorwijs Culemborg", meetings=3, status="open")
    for first, last in NAMES:
        EnrolmentFactory(training=run, person__first_name=first, person__last_name=last)
    trainer = UserFactory(first_name="Fatima", last_name="Trainer", roles=["trainer"])
    CertificationFactory(holder=trainer)
    AssignmentFactory(training=run, trainer=trainer)

    page = open_context().new_page()
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)

    # A message about meeting 2: the page says who gets it before it goes.
    page.goto(f"/trainingen/{run.pk}/")
    page.get_by_test_id("run-message-link").click()
    expect(page.get_by_test_id("recipient-count")).to_contain_text("3 deelnemers")
    form = page.locator("main form")
    form.locator('[name="meeting"]').select_option(index=2)
    form.locator('[name="subject"]').fill("De zaal is veranderd")
    form.locator('[name="body"]').fill("We zitten deze keer in zaal 3 op de eerste verdieping.\nNeem een casus mee.")
    screenshot(page, "run-message")
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(rf"/trainingen/{run.pk}/#history$"))
    message = RunMessage.objects.get()
    assert (message.meeting.number, message.sent_by) == (2, staff)
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        Enrolment.objects.filter(training=run).values_list("person__email", flat=True)
    )
    page.reload()
    entry = page.get_by_test_id("history-entry")
    expect(entry).to_contain_text("De zaal is veranderd")
    expect(entry.get_by_test_id("history-counts")).to_contain_text("Aan 3 personen · 3 afgeleverd")
    screenshot(page, "run-history")

    # Cancelling: the confirmation page names everyone who will be told.
    page.get_by_test_id("training-cancel-link").click()
    expect(page.get_by_test_id("cancel-participants").locator("li")).to_have_count(3)
    for first, last in NAMES:
        expect(page.get_by_test_id("cancel-participants")).to_contain_text(f"{first} {last}")
    expect(page.get_by_test_id("cancel-trainers")).to_contain_text("Fatima Trainer")
    page.locator('main [name="reason"]').fill("De trainer is ziek geworden; we plannen een nieuwe reeks.")
    screenshot(page, "run-cancel")
    page.get_by_role("button", name="Training annuleren en hen inlichten").click()
    expect(page).to_have_url(re.compile(rf"/trainingen/{run.pk}/$"))
    expect(page.get_by_test_id("training-status")).to_have_text("Geannuleerd")
    undo = page.get_by_test_id("undo-cancellation")
    expect(undo).to_be_visible()
    screenshot(page, "run-cancelled-undo")
    run.refresh_from_db()
    assert run.status == TrainingStatus.CANCELLED
    notices = ScheduledMessage.objects.filter(kind=MessageKind.TRAINING_CANCELLED)
    assert list(notices.values_list("status", flat=True)) == [MessageStatus.PENDING] * 4

    # Undone in time: everything as it was, and the notices never leave.
    undo.get_by_role("button", name="Annulering terugdraaien").click()
    expect(page.get_by_test_id("undo-cancellation")).to_have_count(0)
    expect(page.get_by_test_id("training-status")).to_have_text("Open voor inschrijving")
    run.refresh_from_db()
    assert run.status == TrainingStatus.OPEN
    assert set(run.enrolments.values_list("status", flat=True)) == {EnrolmentStatus.REGISTERED}
    assert set(notices.values_list("status", flat=True)) == {MessageStatus.CANCELLED}
    assert len(mail.outbox) == 3  # only the message
