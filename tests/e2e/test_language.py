"""The interface is Dutch first; the NL/EN switch changes it and the choice sticks."""

from playwright.sync_api import expect

from mentorwijs.accounts.models import User
from tests.e2e.helpers import HOME_URL, LOGIN_URL, log_in
from tests.factories import UserFactory


def switch_to(page, language):
    page.locator(f"[data-testid=language-switch] button[name=language][value={language}]").click()


def test_dutch_by_default_and_english_after_the_switch(open_context):
    # The browser asks for English; the interface still starts in Dutch on purpose.
    page = open_context(locale="en-US", extra_http_headers={"Accept-Language": "en-US,en;q=0.9"}).new_page()
    page.goto("/accounts/login/")
    html, heading = page.locator("html"), page.get_by_role("heading", level=1)
    expect(html).to_have_attribute("lang", "nl")
    expect(heading).to_have_text("Inloggen")
    expect(page.locator("[data-testid=language-switch] button[value=nl]")).to_have_attribute("aria-pressed", "true")

    switch_to(page, "en")

    expect(page).to_have_url(LOGIN_URL)  # back on the same page
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Log in")
    expect(page.locator("[data-testid=language-switch] button[value=en]")).to_have_attribute("aria-pressed", "true")
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert cookies["django_language"] == "en"

    # The next page is English too.
    page.goto("/accounts/password/reset/")
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Password Reset")

    switch_to(page, "nl")
    expect(html).to_have_attribute("lang", "nl")
    expect(heading).to_have_text("Nieuw wachtwoord")


def test_logged_in_choice_is_kept_on_the_account(page, open_context):
    user = UserFactory(first_name="Tessa", roles=["trainer"])
    log_in(page, user.email, totp_secret=user.totp_secret)
    expect(page).to_have_url(HOME_URL)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Welkom, Tessa")

    switch_to(page, "en")

    expect(page).to_have_url(HOME_URL)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Welcome, Tessa")
    expect(page.locator("[data-testid=todo] [data-role=trainer]")).to_contain_text("Trainer:")
    assert User.objects.get(pk=user.pk).language == "en"

    # A new browser without the cookie: after logging in the account's language applies.
    other = open_context().new_page()
    log_in(other, user.email, totp_secret=user.totp_secret)
    expect(other).to_have_url(HOME_URL)
    expect(other.locator("html")).to_have_attribute("lang", "en")
    expect(other.get_by_role("heading", level=1)).to_have_text("Welcome, Tessa")
