"""The trainings' settings as staff use them, at desktop and phone width (artifacts/*.png): the settings
page reached from the account menu, the locations (search, archive, bring back, a clash of names)
and the completion rule per variant."""

from django.utils import timezone
from playwright.sync_api import expect

from dissemination.models import Region
from tests.e2e.helpers import HOME_URL, log_in, screenshot
from tests.factories import LocationFactory, TrainingFactory, UserFactory
from trainings.models import CompletionRule, Location


def log_in_as_staff(page):
    staff = UserFactory(first_name="Sanne", last_name="Jansen", roles=["staff"], two_factor=True)
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)
    return staff


def test_staff_manage_locations_from_the_settings_page(page):
    log_in_as_staff(page)
    # The regions are migration data, which transactional tests flush: make the ones used here.
    rivierenland, _ = Region.objects.get_or_create(name="Rivierenland")
    gelderland, _ = Region.objects.get_or_create(name="Midden-Gelderland")
    used = LocationFactory(name="Buurthuis De Linge", address="Lingedijk 2", city="Geldermalsen", region=rivierenland)
    TrainingFactory(meetings=3, meetings__location=used, region=rivierenland)
    LocationFactory(name="Stadhuis", city="Culemborg", postcode="4101 AA", region=rivierenland)
    LocationFactory(name="Gemeentehuis", city="Arnhem", region=gelderland, archived_at=timezone.now())

    page.get_by_role("button", name="Sanne").click()
    page.locator(".dropdown-menu").get_by_role("link", name="Instellingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Instellingen")
    screenshot(page, "settings")
    page.get_by_role("link", name="Locaties").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Locaties")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.last).to_contain_text("Gearchiveerd")
    screenshot(page, "locations")

    page.locator('main input[name="q"]').fill("linge")
    page.get_by_role("button", name="Filteren").click()
    expect(rows).to_have_count(1)
    rows.first.get_by_role("button", name="Archiveren").click()
    expect(page.locator(".alert-success")).to_contain_text("gearchiveerd")
    assert Location.objects.get(pk=used.pk).archived_at is not None

    page.goto(f"/trainingen/locaties/{used.pk}/bewerken/")
    expect(page.locator("main")).to_contain_text("Deze locatie is gearchiveerd")
    expect(page.get_by_role("link", name="Deze locatie verwijderen")).to_have_count(0)  # in use
    page.locator('main input[name="name"]').fill("Stadhuis")
    page.locator('main input[name="city"]').fill("Culemborg")
    page.get_by_role("button", name="Locatie opslaan").click()
    expect(page.locator("main")).to_contain_text("Er is al een locatie met deze naam in Culemborg.")
    screenshot(page, "location-edit")
    page.get_by_role("button", name="Terugzetten").click()
    assert Location.objects.get(pk=used.pk).archived_at is None
    assert Location.objects.get(pk=used.pk).name == "Buurthuis De Linge"


def test_staff_change_the_completion_rule(page):
    log_in_as_staff(page)
    CompletionRule.objects.get_or_create(variant="standard", defaults={"meetings_required": 4})
    page.goto("/instellingen/")
    page.get_by_role("link", name="Afronding per variant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Afronding per variant")
    expect(page.locator("main table tbody tr")).to_have_count(4)
    screenshot(page, "completion-rules")
    page.get_by_role("link", name="Stagebegeleiders (praktijkonderwijs)").click()
    page.locator('main input[name="meetings_required"]').fill("9")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("main")).to_contain_text("5")
    screenshot(page, "completion-rule-edit")
    page.locator('main input[name="meetings_required"]').fill("3")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".alert-success")).to_contain_text("3 bijeenkomsten nodig om af te ronden")
    assert CompletionRule.objects.get(variant="internship").meetings_required == 3
