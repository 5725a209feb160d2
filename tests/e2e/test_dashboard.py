"""Staff read the plan's progress: when the figures were computed, contacts and enrolments per month
as bars, the target groups without figures folded into one line; a contact logged meanwhile counts
on the next visit."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from dissemination.enums import OutreachChannel, Stage
from dissemination.services.outreach import contact_log
from tests.e2e.helpers import log_in, screenshot
from tests.factories import (
    EnrolmentFactory,
    OrganisationFactory,
    OutreachContactFactory,
    PersonFactory,
    TrainingFactory,
    UserFactory,
)


def _a_year_of_work():
    """Organisations in three target groups, contacts over the last year on several channels,
    registrations and completions in several months."""
    now = timezone.now()
    today = timezone.localdate()
    groups = ["employers", "schools", "municipalities"]
    organisations = [OrganisationFactory(target_group=groups[n % 3]) for n in range(9)]
    ambassador = UserFactory(roles=["ambassador"])
    channels = OutreachChannel.values[:5]
    stages = [Stage.INFORMED, Stage.INTERESTED, Stage.CONVINCED]
    for n in range(40):
        OutreachContactFactory(
            logged_by=ambassador,
            organisation=organisations[n % 9],
            date=today - timedelta(days=(n * 37) % 330),
            channel=channels[(n * 3) % 5],
            stage=stages[n % 3],
        )
    run = TrainingFactory()
    for n in range(14):
        person = PersonFactory(organisation=organisations[n % 9])
        created = now - timedelta(days=20 + n * 19)
        completed = n % 3 == 0
        EnrolmentFactory(
            training=run,
            person=person,
            created_at=created,
            status="completed" if completed else "registered",
            completed_at=created + timedelta(days=45) if completed and n > 2 else None,
        )


def test_staff_see_fresh_figures_with_their_time_and_the_months_as_bars(open_context):
    staff = UserFactory(first_name="Sanne", roles=["staff"])
    _a_year_of_work()

    page = open_context().new_page()
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    page.goto("/voortgang/")
    expect(page.locator("[data-testid=computed-at]")).to_contain_text(re.compile(r"Berekend om \d\d:\d\d\."))
    chart = page.locator("[data-testid=chart-channels-months] svg[role=img]")
    expect(chart).to_be_visible()
    expect(chart.locator("rect[data-series]")).not_to_have_count(0)
    expect(page.locator("[data-testid=chart-enrolments] svg[role=img]")).to_be_visible()
    folded = page.locator("[data-testid=folded-funnel]")
    expect(folded.locator("summary")).to_have_text("5 doelgroepen zonder cijfers")
    expect(page.locator("[data-testid=table-funnel] tbody tr")).to_have_count(3)
    # The table of the months is there for reading, folded away under the chart.
    expect(page.locator("[data-testid=table-channels]")).to_be_hidden()
    page.locator("[data-testid=details-channels] > summary").click()
    expect(page.locator("[data-testid=table-channels]")).to_be_visible()
    screenshot(page, "dashboard-figures")

    total = page.locator("[data-testid=table-channels] tr[data-row=total] td[data-column=website]")
    expect(total).to_have_text("0")
    agencies = OrganisationFactory(target_group="agencies")
    contact_log(by=UserFactory(roles=["ambassador"]), organisation=agencies, channel="website", stage="informed")
    page.reload()
    page.locator("[data-testid=details-channels] > summary").click()
    expect(total).to_have_text("1")
    expect(page.locator("[data-testid=table-funnel] tr[data-row=agencies] td[data-column=reached]")).to_have_text("1")
    expect(page.locator("[data-testid=folded-funnel] summary")).to_have_text("4 doelgroepen zonder cijfers")
