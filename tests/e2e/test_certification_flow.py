"""Quality assurance in the browser: a trainer asks for certification with a PDF as evidence, a
master trainer approves it, and staff then assign the trainer to lead a run."""

import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from playwright.sync_api import expect

from ambassadors.enums import CertificationAction, CertificationStatus, NoticeKind
from ambassadors.models import Certification, CertificationEvidence
from tests.e2e.helpers import HOME_URL, PHONE, log_in, screenshot
from tests.factories import CertificationFactory, TrainingFactory, UserFactory
from trainings.models import Assignment

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _evidence_in_tmp(monkeypatch, tmp_path):
    monkeypatch.setattr(CertificationEvidence._meta.get_field("file"), "storage", FileSystemStorage(tmp_path))


def action_button(page, action):
    return page.locator(f'main form:has(input[name="action"][value="{action}"]) button[type="submit"]')


def test_request_review_approve_and_assign(open_context, settings, live_server):
    settings.SITE_URL = live_server.url
    trainer = UserFactory(first_name="Tessa", last_name="de Vries", roles=["trainer"])
    master = UserFactory(first_name="Ruud", last_name="Hendriks", roles=["master_trainer", "trainer"], two_factor=True)
    CertificationFactory(holder=master, level="master_trainer")
    staff = UserFactory(roles=["staff"], two_factor=True)
    first = timezone.now() + timedelta(days=7)
    run = TrainingFactory(title="Mentorwijs Geldermalsen", status="open", meetings=5, meetings__first_meeting=first)

    # The trainer asks for certification on a phone, with a PDF as evidence.
    trainer_page = open_context(viewport=PHONE).new_page()
    log_in(trainer_page, trainer.email, totp_secret=trainer.totp_secret)
    expect(trainer_page).to_have_url(HOME_URL)
    trainer_page.locator("[data-testid=task-certification] a").click()
    expect(trainer_page).to_have_url(re.compile(r"/ambassadeurs/mijn-certificering/$"))
    trainer_page.goto("/ambassadeurs/certificering/aanvragen/")
    form = trainer_page.locator("main form")
    form.locator('[name="level"]').select_option("trainer")
    form.locator('[name="note"]').fill("Train-de-trainer gevolgd in Tiel; twee runs meegedraaid.")
    form.locator('[name="files"]').set_input_files({"name": "bewijs.pdf", "mimeType": "application/pdf", "buffer": PDF})
    screenshot(trainer_page, "certification-request")
    form.locator('button[type="submit"]').click()
    certification = Certification.objects.get(holder=trainer)
    expect(trainer_page).to_have_url(re.compile(rf"/ambassadeurs/certificering/{certification.pk}/$"))
    screenshot(trainer_page, "certification-requested")
    assert certification.status == CertificationStatus.REQUESTED
    [evidence] = certification.evidence.all()
    assert (evidence.original_name, evidence.content_type) == ("bewijs.pdf", "application/pdf")
    assert "bewijs" not in evidence.file.name

    # The master trainer finds it in the review list and approves it for the default two years.
    master_page = open_context().new_page()
    log_in(master_page, master.email, totp_secret=master.totp_secret)
    expect(master_page).to_have_url(HOME_URL)
    master_page.locator("[data-testid=task-reviews] a").click()
    expect(master_page).to_have_url(re.compile(r"/ambassadeurs/certificering/beoordelen/$"))
    screenshot(master_page, "certification-review-list")
    master_page.locator(f'main a[href$="/certificering/{certification.pk}/beoordelen/"]').first.click()
    with master_page.expect_download() as download:
        master_page.locator(f'main a[href$="/certificering/bewijs/{evidence.pk}/"]').first.click()
    with open(download.value.path(), "rb") as served:
        assert served.read() == PDF
    screenshot(master_page, "certification-review")
    action_button(master_page, "approve").click()
    expect(master_page.locator(".alert-success")).to_be_visible()
    certification.refresh_from_db()
    today = timezone.localdate()
    assert certification.status == CertificationStatus.APPROVED
    assert (certification.certified_by, certification.reviewed_by) == (master, master)
    assert (certification.valid_from, certification.valid_until) == (today, today + relativedelta(years=2))
    assert list(certification.events.values_list("action", "actor")) == [
        (CertificationAction.REQUESTED, trainer.pk),
        (CertificationAction.APPROVED, master.pk),
    ]
    kinds = set(certification.notices.values_list("kind", flat=True))
    assert kinds == {NoticeKind.REQUESTED, NoticeKind.APPROVED, NoticeKind.EXPIRES_IN_SIX_MONTHS,
                     NoticeKind.EXPIRES_IN_ONE_MONTH}  # fmt: skip

    # The trainer sees the approval and what renewal will ask.
    trainer_page.goto("/ambassadeurs/mijn-certificering/")
    screenshot(trainer_page, "my-certification")

    # Staff assign the newly certified trainer to lead a run.
    staff_page = open_context().new_page()
    log_in(staff_page, staff.email, totp_secret=staff.totp_secret)
    expect(staff_page).to_have_url(HOME_URL)
    staff_page.goto(f"/trainingen/{run.pk}/")
    staff_page.get_by_test_id("assignments-link").click()
    expect(staff_page).to_have_url(re.compile(rf"/ambassadeurs/trainingen/{run.pk}/trainers/$"))
    form = staff_page.locator('main form:has(input[name="action"][value="add"])')
    form.locator('[name="trainer"]').select_option(label=str(trainer))
    form.locator('[name="role"]').select_option("lead")
    form.locator('button[type="submit"]').click()
    expect(staff_page.locator(".alert-success")).to_be_visible()
    screenshot(staff_page, "training-assignments")
    assignment = Assignment.objects.get(training=run)
    assert (assignment.trainer, assignment.role, assignment.assigned_by) == (trainer, "lead", staff)

    # The run is now on the trainer's home page.
    trainer_page.goto("/")
    expect(trainer_page.get_by_test_id("upcoming-meetings")).to_contain_text("Mentorwijs Geldermalsen")
