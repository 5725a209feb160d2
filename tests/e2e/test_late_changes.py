"""Late changes in the browser: staff add a participant to a running run with a reason and see the
meetings to catch up; the attendance page of a meeting days ahead says so before anyone fills it
in; staff record a trainer certified today on a completed run as history."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import HOME_URL, log_in, screenshot
from tests.factories import (
    CertificationFactory,
    EnrolmentFactory,
    LocationFactory,
    OrganisationFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.enums import TrainingStatus
from trainings.models import Assignment, Enrolment

REASON = "Vervangt Joris de Wit, die van baan wisselde"


def staff_page(open_context):
    staff = UserFactory(roles=["staff"], two_factor=True)
    page = open_context().new_page()
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)
    return page, staff


def test_staff_add_a_participant_late_and_see_what_to_catch_up(open_context):
    location = LocationFactory(name="Werkzaak Rivierenland", city="Tiel")
    first = timezone.now() - timedelta(days=8)
    training = TrainingFactory(
        title="Mentorwijs Tiel najaar",
        status=TrainingStatus.RUNNING,
        meetings=5,
        meetings__first_meeting=first,
        meetings__location=location,
    )
    EnrolmentFactory.create_batch(3, training=training)
    TrainingFactory(
        title="Mentorwijs Culemborg",
        meetings=5,
        meetings__first_meeting=timezone.now() + timedelta(days=3),
        meetings__location=LocationFactory(name="Het Spoor", city="Culemborg"),
    )
    OrganisationFactory(name="Bakkerij De Lingehoeve", city="Tiel")
    page, staff = staff_page(open_context)

    page.goto(f"/trainingen/{training.pk}/")
    page.get_by_test_id("participants").get_by_role("link", name=re.compile("inschrijven", re.I)).click()
    expect(page.get_by_test_id("late-notice")).to_be_visible()
    form = page.locator("main form[data-testid=enrol-form]")
    form.locator('[name="late_reason"]').fill(REASON)
    form.locator('[name="first_name"]').fill("Bram")
    form.locator('[name="last_name"]').fill("Jacobs")
    form.locator('[name="email"]').fill("bram.jacobs@example.org")
    form.locator('[name="organisation_name"]').fill("Bakkerij")
    page.get_by_role("option", name=re.compile("Bakkerij De Lingehoeve")).click()
    screenshot(page, "late-enrol")
    form.locator('button[type="submit"]').click()

    expect(page).to_have_url(re.compile(rf"/trainingen/{training.pk}/$"))
    enrolment = Enrolment.objects.get(training=training, person__email="bram.jacobs@example.org")
    assert (enrolment.late_reason, enrolment.enrolled_by) == (REASON, staff)
    expect(page.get_by_test_id("late-reason")).to_contain_text(REASON)
    catch_ups = page.get_by_test_id("catch-ups").locator("li")
    expect(catch_ups).to_have_count(2)
    expect(catch_ups.first).to_contain_text("Mentorwijs Culemborg")
    page.get_by_test_id("late-reason").scroll_into_view_if_needed()
    screenshot(page, "late-participants")


def test_the_attendance_page_of_a_meeting_days_ahead_says_so_before_anyone_fills_it_in(open_context):
    training = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() + timedelta(days=4))
    EnrolmentFactory.create_batch(4, training=training)
    meeting = training.meetings.get(number=1)
    page, _staff = staff_page(open_context)
    page.goto(f"/trainingen/bijeenkomst/{meeting.pk}/aanwezigheid/")
    expect(page.get_by_test_id("attendance-refusal")).to_contain_text("nog niet begonnen")
    expect(page.get_by_test_id("attendance-participants").locator("li")).to_have_count(4)
    expect(page.locator('main input[name^="present_"]')).to_have_count(0)
    expect(page.locator("main form[method=post] button[type=submit]")).to_have_count(0)
    screenshot(page, "attendance-not-begun")


def test_staff_record_a_trainer_certified_today_as_history(open_context):
    training = TrainingFactory(
        title="Mentorwijs Tiel voorjaar",
        status=TrainingStatus.COMPLETED,
        meetings=5,
        meetings__first_meeting=timezone.now() - timedelta(days=60),
    )
    trainer = UserFactory(first_name="Fatima", last_name="Trainer", roles=["trainer"])
    CertificationFactory(holder=trainer, valid_from=timezone.localdate())
    page, staff = staff_page(open_context)
    page.goto(f"/ambassadeurs/trainingen/{training.pk}/trainers/")
    form = page.get_by_test_id("add-form")
    form.locator('[name="trainer"]').select_option(label=str(trainer))
    form.locator('[name="as_history"]').check()
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("as-history")).to_be_visible()
    assignment = Assignment.objects.get(training=training)
    assert (assignment.trainer, assignment.as_history, assignment.assigned_by) == (trainer, True, staff)
    screenshot(page, "assignments-history")
