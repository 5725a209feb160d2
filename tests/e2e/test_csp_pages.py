"""Under the strict Content-Security-Policy the pages that used inline code still work in a browser.

Every test here (as every e2e test) fails on a CSP violation in the console (csp_violations in
conftest.py); these open the pages whose inline scripts and styles moved to static files."""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule
from playwright.sync_api import expect

from mentorwijs.outbox.backends import OutboxBackend
from mentorwijs.outbox.models import CaughtMail
from tests.e2e.helpers import HOME_URL, log_in
from tests.factories import EnrolmentFactory, TrainingFactory, UserFactory


def test_caught_mail_shows_styled_html_in_a_sandboxed_frame(page):
    staff = UserFactory(roles=["staff"], two_factor=True)
    message = mail.EmailMultiAlternatives("Stijltest", "Tekst", "noreply@example.org", ["iemand@example.org"])
    message.attach_alternative('<p id="styled" style="color: rgb(11, 92, 87)">Opgemaakt</p>', "text/html")
    OutboxBackend().send_messages([message])
    caught = CaughtMail.objects.latest("pk")
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)

    page.goto(f"/beheer/mail/{caught.pk}/")

    frame = page.frame_locator("[data-testid=mail-html]")
    expect(frame.locator("#styled")).to_have_text("Opgemaakt")
    # The mail's own inline style applies inside the frame (its own policy), not on our pages.
    expect(frame.locator("#styled")).to_have_css("color", "rgb(11, 92, 87)")
    expect(page.locator("pre.pre-wrap")).to_have_css("white-space", "pre-wrap")


def test_calendar_styles_come_from_the_stylesheet(page):
    staff = UserFactory(roles=["staff"], two_factor=True)
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)

    page.goto("/trainingen/kalender/")

    expect(page.locator("table.calendar-grid")).to_have_css("table-layout", "fixed")
    expect(page).to_have_url(re.compile(r"/trainingen/kalender/$"))


def test_attendance_script_marks_everyone_present_and_hides_reasons(page):
    trainer = UserFactory(roles=["trainer"])
    run = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() - timedelta(weeks=6), status="running")
    run.trainers.add(trainer)
    EnrolmentFactory(training=run)
    EnrolmentFactory(training=run)
    meeting = run.meetings.get(number=1)
    log_in(page, trainer.email, totp_secret=trainer.totp_secret)
    expect(page).to_have_url(HOME_URL)

    page.goto(f"/trainingen/bijeenkomst/{meeting.pk}/aanwezigheid/")
    expect(page.locator(".attendance-reason").first).to_be_visible()
    page.locator("[data-all-present]").click()  # shown by js/attendance.js

    expect(page.locator('.attendance-row input[value="present"]:checked')).to_have_count(2)
    expect(page.locator(".attendance-reason").first).to_be_hidden()  # the stylesheet's :has() rule


def test_periodic_task_form_in_the_admin_shows_the_schedule_in_words(page):
    """django-celery-beat's inline script, blocked by the policy, runs from js/periodic-task-form.js."""
    nightly = CrontabSchedule.objects.create(minute="30", hour="2", timezone="Europe/Amsterdam")
    root = UserFactory(is_superuser=True, two_factor=True)  # the admin is a superuser's last resort
    log_in(page, root.email, totp_secret=root.totp_secret)
    expect(page).to_have_url(HOME_URL)

    page.goto("/beheer/django_celery_beat/periodictask/add/")
    page.locator("#id_crontab").select_option(str(nightly.pk))

    help_text = page.locator(".field-crontab .help")
    expect(help_text).to_contain_text(f"Schema in woorden: {nightly.human_readable}")
    expect(page.locator(".field-crontab_translation")).to_be_hidden()
