"""A staff member without two-factor is sent to set it up, chooses the authenticator app, and logs in
with its code the next time. (The passkey, the other choice: test_passkey.py.)"""

import re

from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.e2e.helpers import (
    HOME_URL,
    LOGIN_URL,
    MFA_AUTHENTICATE_URL,
    SETUP_URL,
    fresh_totp_code,
    log_in,
    nav_keys,
    screenshot,
    set_up_totp,
    submit_button,
)
from tests.factories import UserFactory


def test_staff_without_two_factor_sets_up_an_authenticator_app(page):
    user = UserFactory(first_name="Ruben", roles=["staff"], two_factor=False)
    assert not Authenticator.objects.filter(user=user).exists()

    log_in(page, user.email)

    # The home page sends the staff member on to choose a second step.
    expect(page).to_have_url(SETUP_URL)
    expect(page.locator(".messages")).to_contain_text(
        "Stel eerst tweestapsverificatie in. Dat is verplicht voor jouw rol."
    )
    # Until it is set up, the rest of the site stays closed, and the menus offer nothing else.
    page.goto("/team/uitnodigingen/")
    expect(page).to_have_url(SETUP_URL)
    expect(page.locator("[data-testid=nav] a")).to_have_count(0)
    expect(page.locator(".dropdown-menu [data-testid=two-factor-setup]")).to_have_count(1)

    secret = set_up_totp(page)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret  # base32, as authenticator apps expect
    screenshot(page, "totp-recovery-codes")
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert authenticator.wrap().instance.data["secret"] == secret
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).count() == 1

    page.get_by_test_id("continue").click()
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Ruben")
    expect(page.locator("[data-testid=todo] [data-role=staff]")).to_be_visible()
    expect(page.locator("[data-testid=todo] a[href='/team/tweestapsverificatie/']")).to_have_count(0)
    # No "outbox" link in the account menu: mail is not caught here (locmem).
    assert nav_keys(page) == ["trainings", "organisations", "outreach", "dashboard", "evaluations", "quality",
                              "ambassadors"]  # fmt: skip
    menu = page.locator(".dropdown-menu [data-nav]")
    assert menu.evaluate_all("links => links.map(a => a.dataset.nav)") == ["team", "invitations", "settings", "privacy"]

    # Next time the password is followed by the app's code.
    page.get_by_role("button", name="Ruben", exact=True).click()
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(LOGIN_URL)
    log_in(page, user.email)
    expect(page).to_have_url(MFA_AUTHENTICATE_URL)
    screenshot(page, "totp-code-step")
    page.locator('main input[name="code"]').fill(fresh_totp_code(secret))
    submit_button(page, "code").click()
    expect(page).to_have_url(HOME_URL)
