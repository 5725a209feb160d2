"""Each role logs in through the real login form (password and code: every role has two-factor) and
sees its own navigation and home page."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import HOME_URL, PHONE, artifact, log_in, nav_keys, screenshot
from tests.factories import UserFactory

OUTBOX_BACKEND = "mentorwijs.outbox.backends.OutboxBackend"

ROLES = {
    # role: (first name, navigation keys, Dutch role label)
    "staff": (
        "Sanne",
        [
            "trainings",
            "organisations",
            "outreach",
            "dashboard",
            "evaluations",
            "quality",
            "ambassadors",
        ],
        "Werkzaak-medewerker",
    ),
    "master_trainer": (
        "Mohamed",
        ["trainings", "dashboard", "evaluations", "certification", "open_runs", "quality"],
        "Opleider",
    ),
    "trainer": ("Tessa", ["trainings", "certification", "open_runs"], "Trainer"),
    "ambassador": ("Bram", ["organisations", "outreach", "dashboard"], "Ambassadeur"),
}
# Tools rather than daily work sit in the account menu.
ACCOUNT_MENU_KEYS = {"staff": ["team", "invitations", "settings", "outbox", "privacy"]}  # the admin: superusers only


@pytest.mark.parametrize("role", list(ROLES))
def test_role_logs_in_and_sees_its_navigation(page, settings, role):
    settings.EMAIL_BACKEND = OUTBOX_BACKEND  # the "outbox" link shows only where mail is caught
    first_name, expected_keys, role_label = ROLES[role]
    user = UserFactory(first_name=first_name, last_name="Jansen", roles=[role])

    log_in(page, user.email, totp_secret=user.totp_secret)

    expect(page).to_have_url(HOME_URL)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welkom, {first_name}")
    expect(page.locator("main")).to_contain_text(f"Je werkt in Mentorwijs als: {role_label}.")
    expect(page.locator(f"[data-testid=todo] [data-role={role}]")).to_be_visible()
    # Two-factor is set up, so the home page does not ask for it.
    expect(page.locator("[data-testid=todo] a[href='/team/tweestapsverificatie/']")).to_have_count(0)

    # Desktop: the navigation is open, with exactly this role's links after "Start".
    assert nav_keys(page) == expected_keys
    nav = page.locator("[data-testid=nav]")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Start", exact=True)).to_be_visible()
    for key in expected_keys:
        expect(nav.locator(f"[data-nav={key}]")).to_be_visible()
    menu_keys = ACCOUNT_MENU_KEYS.get(role, [])
    menu = page.locator(".dropdown-menu [data-nav]")
    assert menu.evaluate_all("links => links.map(a => a.dataset.nav)") == menu_keys
    home_cards = page.locator("[data-testid=home-links] .card")
    expect(home_cards).to_have_count(len(expected_keys) + len(menu_keys))

    screenshot(page, f"home-{role}")

    # Phone: the same links sit behind the menu button.
    page.set_viewport_size(PHONE)
    expect(nav).to_be_hidden()
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_have_attribute("aria-expanded", "false")
    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    assert nav_keys(page) == expected_keys
    for key in expected_keys:
        expect(nav.locator(f"[data-nav={key}]")).to_be_visible()
    expect(page.locator("#main-nav.show")).to_be_visible()  # the collapse has finished opening
    page.screenshot(path=artifact(f"home-{role}-phone-menu.png"), animations="disabled")
