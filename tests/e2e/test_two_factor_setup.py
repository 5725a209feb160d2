"""A staff member without two-factor is sent to set it up, and does so with the secret on the page."""

import re

from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.e2e.helpers import HOME_URL, fresh_totp_code, nav_keys, screenshot, submit_button
from tests.factories import PASSWORD, UserFactory

ACTIVATE_PATH = "/accounts/2fa/totp/activate/"
REAUTHENTICATE_URL = re.compile(r"/accounts/reauthenticate/\?next=" + re.escape(ACTIVATE_PATH.replace("/", "%2F")))


def test_staff_without_totp_sets_it_up(page):
    user = UserFactory(first_name="Ruben", roles=["staff"])
    assert not Authenticator.objects.filter(user=user).exists()

    page.goto("/accounts/login/")
    page.locator('main input[name="login"]').fill(user.email)
    page.locator('main input[name="password"]').fill(PASSWORD)
    submit_button(page, "password").click()

    # The home page sends the staff member on; allauth first asks for the password again.
    expect(page).to_have_url(re.compile(r"/accounts/(reauthenticate/\?next=.*|2fa/totp/activate/)$"))
    expect(page.locator(".messages")).to_contain_text(
        "Stel eerst tweestapsverificatie in. Dat is verplicht voor jouw rol."
    )
    if "/accounts/reauthenticate/" in page.url:
        expect(page).to_have_url(REAUTHENTICATE_URL)
        page.locator('main input[name="password"]').fill(PASSWORD)
        submit_button(page, "password").click()

    expect(page).to_have_url(re.compile(re.escape(ACTIVATE_PATH) + "$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "totp-activate")

    # Until it is set up, the rest of the site stays closed.
    page.goto("/team/uitnodigingen/")
    expect(page).to_have_url(re.compile(re.escape(ACTIVATE_PATH) + "$"))

    # allauth shows a new secret on every visit: read the one on the page being submitted.
    secret_field = page.locator("#authenticator_secret")
    expect(secret_field).to_be_visible()
    secret = secret_field.input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret  # base32, as authenticator apps expect
    expect(page.locator("main img[src^='data:image/svg+xml']")).to_be_visible()  # the QR code
    page.locator('main input[name="code"]').fill(fresh_totp_code(secret))  # allauth's own HOTP functions
    submit_button(page, "code").click()

    # Activated: allauth made recovery codes at the same time and shows them once.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    screenshot(page, "totp-recovery-codes")
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert authenticator.wrap().instance.data["secret"] == secret
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).count() == 1

    page.goto("/")
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Ruben")
    expect(page.locator("[data-testid=todo] [data-role=staff]")).to_be_visible()
    expect(page.locator("[data-testid=todo] a[href='/accounts/2fa/totp/activate/']")).to_have_count(0)
    # No "outbox" link in the account menu: mail is not caught here (locmem).
    assert nav_keys(page) == ["trainings", "organisations", "outreach", "dashboard", "evaluations", "quality",
                              "ambassadors"]  # fmt: skip
    menu = page.locator(".dropdown-menu [data-nav]")
    assert menu.evaluate_all("links => links.map(a => a.dataset.nav)") == ["invitations", "privacy", "admin"]
