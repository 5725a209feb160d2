"""A trainer sets up a passkey on a phone after the first login and then logs in with it alone.

Chromium's virtual authenticator (DevTools protocol, WebAuthn domain) plays the phone's platform
authenticator: it keeps the passkey and "verifies the user" (fingerprint, face or PIN) at once.
WebAuthn refuses an IP address as relying party, so the live server is reached as localhost
(pytest-django's default address); http is allowed for this test only, through settings."""

import re

from allauth.mfa.models import Authenticator
from django.core import mail
from playwright.sync_api import expect

from mentorwijs.accounts.middleware import SESSION_FINGERPRINT_KEY
from tests.e2e.helpers import (
    HOME_URL,
    LOGIN_URL,
    MFA_AUTHENTICATE_URL,
    PHONE,
    REAUTHENTICATE_URL,
    RECOVERY_CODES_URL,
    SETUP_URL,
    confirm_password,
    screenshot,
    submit_button,
)
from tests.factories import PASSWORD, UserFactory

NEW_ADDRESS = "tessa.nieuw@example.org"


def add_virtual_authenticator(context, page) -> tuple:
    """A phone's built-in authenticator: resident keys (passkeys) and user verification."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_trainer_sets_up_a_passkey_on_a_phone_and_logs_in_with_it(open_context, live_server, settings):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks http
    assert live_server.url.startswith("http://localhost:")
    user = UserFactory(first_name="Tessa", roles=["trainer"], two_factor=False)
    context = open_context(viewport=PHONE)
    page = context.new_page()
    cdp, authenticator_id = add_virtual_authenticator(context, page)

    # The first login (password only: nothing set up yet) leads straight to choosing a second step.
    page.goto("/accounts/login/")
    page.locator('main input[name="login"]').fill(user.email)
    page.locator('main input[name="password"]').fill(PASSWORD)
    submit_button(page, "password").click()
    expect(page).to_have_url(SETUP_URL)
    expect(page.locator(".messages")).to_contain_text("Stel eerst tweestapsverificatie in.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie instellen")
    expect(page.locator("[data-testid=nav] a")).to_have_count(0)  # nothing else until it is set up
    screenshot(page, "two-factor-setup")

    # The passkey: log in again (allauth asks before any security change), then let the phone make it.
    page.get_by_role("link", name="Passkey maken").click()
    confirm_password(page)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/webauthn/add/$"))
    expect(page.locator("#id_passwordless")).to_be_checked()
    page.locator("#id_name").fill("Mijn telefoon")
    screenshot(page, "passkey-add")
    page.get_by_role("button", name="Passkey maken").click()

    # Made: allauth shows the recovery codes made with the first key.
    expect(page).to_have_url(RECOVERY_CODES_URL)
    screenshot(page, "passkey-recovery-codes")
    passkey = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert passkey.wrap().name == "Mijn telefoon"
    assert passkey.wrap().is_passwordless is True
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).count() == 1
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert credential["isResidentCredential"] is True  # a passkey: it names the account itself
    page.get_by_test_id("continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Tessa")
    page.goto("/accounts/2fa/")
    screenshot(page, "two-factor-index")

    log_out(page)

    # The passkey alone logs in: no email, no password, no code.
    screenshot(page, "login-passkey")
    page.get_by_role("button", name="Inloggen met een passkey").click()
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Tessa")
    expect(page.locator("[data-testid=todo] [data-role=trainer]")).to_be_visible()
    session_key = next(c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = _session(session_key)
    assert session["_auth_user_id"] == str(user.pk)
    assert session[SESSION_FINGERPRINT_KEY]["roles"] == ["trainer"]
    assert [record["method"] for record in session["account_authentication_methods"]] == ["mfa"]

    # With the password, the passkey is the second step.
    log_out(page)
    page.locator('main input[name="login"]').fill(user.email)
    page.locator('main input[name="password"]').fill(PASSWORD)
    submit_button(page, "password").click()
    expect(page).to_have_url(MFA_AUTHENTICATE_URL)
    screenshot(page, "passkey-code-step")
    page.get_by_role("button", name="Mijn passkey gebruiken").click()
    expect(page).to_have_url(HOME_URL)

    # A new email address only after logging in again, and the passkey will do for that too.
    page.goto("/accounts/email/")
    page.locator('main input[name="email"]').fill(NEW_ADDRESS)
    page.get_by_role("button", name="E-mailadres wijzigen").click()
    expect(page).to_have_url(REAUTHENTICATE_URL)
    page.get_by_role("link", name="Mijn passkey gebruiken").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/webauthn/reauthenticate/\?next=%2Faccounts%2Femail%2F$"))
    screenshot(page, "passkey-reauthenticate")
    page.get_by_role("button", name="Mijn passkey gebruiken").click()
    expect(page).to_have_url(re.compile(r"/accounts/email/$"))
    expect(page.locator("#new_email")).to_have_value(NEW_ADDRESS)  # waits for the link in the mail
    assert mail.outbox[-1].to == [NEW_ADDRESS]
    screenshot(page, "email-change-pending")


def log_out(page):
    """Through the menu (behind the menu button on a phone)."""
    page.locator(".navbar-toggler").click()
    page.get_by_role("button", name="Tessa", exact=True).click()
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(LOGIN_URL)


def _session(key):
    from importlib import import_module

    from django.conf import settings

    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=key).load()
