"""An ambassador logs a contact on a phone, picking the organisation from the search, and finds the
follow-up on the home page and the organisation counted in the plan's progress; the other ambassador
sees the contact in the organisation's summary."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from dissemination.models import OutreachContact
from tests.e2e.helpers import HOME_URL, PHONE, log_in, screenshot
from tests.factories import OrganisationFactory, UserFactory


def test_an_ambassador_logs_a_contact_on_a_phone(open_context):
    ambassador = UserFactory(first_name="Bram", roles=["ambassador"])
    colleague = UserFactory(first_name="Noor", roles=["ambassador"])
    organisation = OrganisationFactory(name="Bakkerij De Lingehoeve", city="Tiel")

    page = open_context(viewport=PHONE).new_page()
    log_in(page, ambassador.email, totp_secret=ambassador.totp_secret)
    expect(page).to_have_url(HOME_URL)
    page.goto("/relaties/contacten/nieuw/")
    form = page.locator("main form[data-testid=outreach-log-form]")
    expect(form.locator('[name="date"]')).to_have_value(timezone.localdate().isoformat())
    expect(page.locator("[data-testid=privacy-warning]")).to_be_visible()
    form.locator('[name="organisation_name"]').fill("Linge")
    page.get_by_role("option", name=re.compile("Bakkerij De Lingehoeve")).click()
    expect(form.locator("[data-organisation-new]")).to_be_hidden()
    form.locator('[name="channel"]').select_option("conversation")
    form.locator('[name="stage"]').select_option("interested")
    form.locator('label[for="id_materials_1"]').click()  # factsheet
    form.locator('label[for="id_key_messages_4"]').click()  # free of charge
    follow_up = timezone.localdate() + timedelta(days=3)
    form.locator('[name="follow_up_on"]').fill(follow_up.isoformat())
    screenshot(page, "outreach-log")
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/relaties/contacten/$"))
    screenshot(page, "outreach-contacts")

    contact = OutreachContact.objects.get()
    assert (contact.logged_by, contact.organisation, contact.stage) == (ambassador, organisation, "interested")
    assert (contact.materials, contact.key_messages, contact.follow_up_on) == (["factsheet"], ["free"], follow_up)

    page.goto("/")
    expect(page.locator("[data-testid=home-follow-ups] [data-follow-up]")).to_have_count(1)
    page.goto("/relaties/opvolging/")
    screenshot(page, "outreach-follow-ups")

    # The plan's progress counts the employer as reached, informed and interested, not convinced.
    page.goto("/")
    page.locator(".navbar-toggler").click()
    page.locator("[data-testid=nav] [data-nav=dashboard]").click()
    expect(page).to_have_url(re.compile(r"/voortgang/$"))
    employers = page.locator("[data-testid=table-funnel] tr[data-row=employers]")
    for column, count in [("reached", "1"), ("informed", "1"), ("interested", "1"), ("convinced", "0")]:
        expect(employers.locator(f"td[data-column={column}]")).to_have_text(count)
    channels = page.locator("[data-testid=table-channels] tr[data-row=total]")
    expect(channels.locator("td[data-column=conversation]")).to_have_text("1")
    screenshot(page, "dashboard")

    other = open_context(viewport=PHONE).new_page()
    log_in(other, colleague.email, totp_secret=colleague.totp_secret)
    other.goto(f"/relaties/organisaties/{organisation.pk}/contacten/")
    expect(other.locator("[data-testid=outreach-summary] li")).to_have_count(1)
    screenshot(other, "outreach-summary")
    response = other.goto(f"/relaties/contacten/{contact.pk}/")
    assert response.status == 404
