"""Issue 14, edge part, in the browser: the public enrolment form's organisation search (only public
organisations, from three letters), the staff page that matches the organisations participants
named, and the enrolment link of an in-company run on the run's page (artifacts/*.png at 390 and
1280 px)."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from dissemination.models import Organisation, Region
from tests.e2e.helpers import HOME_URL, log_in, screenshot
from tests.factories import OrganisationFactory, PersonFactory, TrainingFactory, UserFactory
from trainings.models import Enrolment


def rivierenland():
    return Region.objects.get_or_create(name="Rivierenland")[0]


def log_in_as_staff(page):
    staff = UserFactory(first_name="Sanne", last_name="Jansen", roles=["staff"], two_factor=True)
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)
    return staff


def test_the_public_form_suggests_only_public_organisations_from_three_letters(page):
    region = rivierenland()
    OrganisationFactory(name="Bakkerij De Lingehoeve", city="Tiel", region=region, public_since=timezone.now())
    OrganisationFactory(name="Bakkerij Verborgen", city="Buren", region=region)  # only in the directory
    run = TrainingFactory(title="Mentorwijs Tiel najaar", region=region, meetings=5)

    page.goto(f"/trainingen/aanbod/{run.pk}/inschrijven/")
    employer = page.locator('main input[name="organisation_name"]')
    suggestions = page.locator("[data-organisation-suggestions] [role=option]")
    employer.fill("Ba")
    page.wait_for_timeout(400)  # the script waits 200 ms after typing
    expect(suggestions).to_have_count(0)
    employer.fill("Bak")
    expect(suggestions).to_have_count(1)
    expect(suggestions.first).to_contain_text("Bakkerij De Lingehoeve")
    screenshot(page, "public-enrol-search")

    suggestions.first.dispatch_event("mousedown")
    expect(page.locator("[data-organisation-chosen]")).to_be_visible()
    expect(page.locator("[data-organisation-new]")).to_be_hidden()
    page.locator('main input[name="first_name"]').fill("Anna")
    page.locator('main input[name="last_name"]').fill("de Vries")
    page.locator('main input[name="email"]').fill("anna@example.org")
    page.locator('main input[name="consent"]').check()
    page.locator("[data-testid=enrol-form] button[type=submit]").click()
    expect(page.locator("[data-testid=check-your-mail]")).to_be_visible()
    assert Enrolment.objects.get().person.organisation.name == "Bakkerij De Lingehoeve"


def test_staff_match_the_organisations_participants_named(page):
    region = rivierenland()
    now = timezone.now()
    for name, city in [("Bakkerij Linge BV", "Tiel"), ("Zorgboerderij 't Hof", "Geldermalsen"), ("Garage Van Os", "")]:
        PersonFactory(
            organisation=OrganisationFactory(name=name, city=city, region=region, named_by_participant_at=now)
        )
    OrganisationFactory(name="Bakkerij De Linge", city="Tiel", region=region)
    log_in_as_staff(page)

    page.goto("/relaties/organisaties/")
    page.get_by_test_id("matching-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisaties om te koppelen")
    expect(page.get_by_test_id("organisation-to-match")).to_have_count(3)
    screenshot(page, "organisations-to-match")

    row = page.get_by_test_id("organisation-to-match").filter(has_text="Bakkerij Linge BV")
    row.get_by_role("link", name=re.compile("Samenvoegen met een bestaande")).click()
    page.get_by_test_id("match-candidates").get_by_role("link", name=re.compile("Bakkerij De Linge")).click()
    expect(page.get_by_test_id("merge-moves")).to_contain_text("1")
    screenshot(page, "organisation-match-merge")
    page.get_by_role("button", name="Samenvoegen").click()
    expect(page.get_by_test_id("organisation-to-match")).to_have_count(2)

    row = page.get_by_test_id("organisation-to-match").filter(has_text="Garage Van Os")
    row.get_by_role("button", name=re.compile("Bevestigen als nieuw")).click()
    expect(page.get_by_test_id("organisation-to-match")).to_have_count(1)
    assert Organisation.objects.get(name="Garage Van Os").public_since is not None
    assert Organisation.objects.get(name="Bakkerij De Linge").public_since is not None


def test_staff_copy_and_renew_the_enrolment_link_of_an_in_company_run(page):
    region = rivierenland()
    host = OrganisationFactory(name="Logistiek Centrum Waalhaven-Oost", city="Tiel", region=region)
    run = TrainingFactory(
        title="Mentorwijs incompany Waalhaven", variant="in_company", region=region, host_organisation=host, meetings=5
    )
    log_in_as_staff(page)

    page.goto(f"/trainingen/{run.pk}/")
    address = page.get_by_test_id("enrolment-link-address")
    expect(address).to_have_value(re.compile(re.escape(run.enrolment_link_key) + "/$"))
    screenshot(page, "run-enrolment-link")

    page.get_by_role("button", name="Nieuwe link maken").click()
    run.refresh_from_db()
    expect(address).to_have_value(re.compile(re.escape(run.enrolment_link_key) + "/$"))

    # The participant's side: the link opens the form with the host filled in.
    visitor = page.context.browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    link_page = visitor.new_page()
    link_page.goto(page.url.split("/trainingen/")[0] + f"/trainingen/aanmelden/{run.enrolment_link_key}/")
    expect(link_page.get_by_test_id("by-link")).to_be_visible()
    expect(link_page.locator('main input[name="organisation_name"]')).to_have_value(host.name)
    expect(link_page.locator("[data-organisation-new]")).to_be_hidden()
    screenshot(link_page, "link-enrol")
    visitor.close()
