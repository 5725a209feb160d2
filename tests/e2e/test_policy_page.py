"""The periods and limits as staff change them, at desktop and phone width (artifacts/*.png): from the
settings page to the list, a refused value next to its field, a saved one in the list."""

from playwright.sync_api import expect

from mentorwijs.policy.queries import policy_value
from tests.e2e.helpers import HOME_URL, log_in, screenshot
from tests.factories import UserFactory


def test_staff_change_a_retention_period(page):
    staff = UserFactory(first_name="Sanne", last_name="Jansen", roles=["staff"], two_factor=True)
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)

    page.goto("/instellingen/")
    page.get_by_role("link", name="Termijnen en grenzen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Termijnen en grenzen")
    expect(page.locator('[data-testid="policy-row-retention_participant_years"]')).to_contain_text("5 jaar")
    screenshot(page, "policy-list")

    page.get_by_role("link", name="Deelnemers").click()
    expect(page.locator('[data-testid="retention-warning"]')).to_be_visible()
    page.get_by_label("Deelnemers").fill("40")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Kies een getal van 1 tot en met 20.")
    screenshot(page, "policy-form-refused")

    page.get_by_label("Deelnemers").fill("7")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Termijnen en grenzen")
    expect(page.locator('[data-testid="policy-row-retention_participant_years"]')).to_contain_text("7 jaar")
    expect(page.locator('[data-testid="policy-row-retention_participant_years"]')).to_contain_text("standaard 5 jaar")
    assert policy_value("retention_participant_years") == 7
