"""From the invitation mail to the first login with the new account."""

import re

from django.core import mail
from playwright.sync_api import expect

from mentorwijs.accounts.models import Invitation, User
from tests.e2e.helpers import HOME_URL, LOGIN_URL, SETUP_URL, log_in, nav_keys, screenshot, set_up_totp
from tests.factories import UserFactory

INVITEE = "tessa.devries@example.org"
NEW_PASSWORD = "Zonnebloem-Lingedijk-2031!"


def test_invitation_from_mail_to_first_login(page, open_context, settings, live_server):
    settings.SITE_URL = live_server.url  # the link in the mail points at this server
    staff = UserFactory(first_name="Sanne", last_name="Jansen", roles=["staff"], two_factor=True)
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)

    # Staff invite a trainer.
    page.goto("/team/uitnodigingen/nieuw/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Iemand uitnodigen")
    form = page.locator("main form")
    form.locator('input[name="email"]').fill(INVITEE)
    form.locator('input[name="first_name"]').fill("Tessa")
    form.get_by_label("Trainer", exact=True).check()
    screenshot(page, "invitation-form")
    form.get_by_role("button", name="Uitnodiging versturen").click()

    expect(page).to_have_url(re.compile(r"/team/uitnodigingen/$"))
    expect(page.locator(".messages")).to_contain_text(f"Uitnodiging verstuurd naar {INVITEE}.")
    row = page.locator("main table tbody tr", has_text=INVITEE)
    expect(row).to_contain_text("Trainer")
    expect(row.locator(".badge")).to_have_text("Open")

    # The mail went out when the invitation was committed (Celery runs eagerly in tests).
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [INVITEE]
    assert message.subject == "[Mentorwijs] Je bent uitgenodigd voor Mentorwijs"
    assert "Hallo Tessa," in message.body
    links = re.findall(r"https?://\S+/team/uitnodiging/[^/\s]+/", message.body)
    assert len(links) == 1
    link = links[0]
    assert link.startswith(f"{live_server.url}/team/uitnodiging/")
    invitation = Invitation.objects.get(email=INVITEE)
    assert invitation.roles == ["trainer"]
    assert invitation.sent_at is not None

    # The invitee opens the link in their own browser and chooses a name and password.
    invitee = open_context().new_page()
    response = invitee.goto(link)
    assert response.status == 200
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Welkom bij Mentorwijs")
    expect(invitee.locator("main")).to_contain_text(INVITEE)
    expect(invitee.locator('input[name="first_name"]')).to_have_value("Tessa")
    invitee.locator('input[name="last_name"]').fill("de Vries")
    invitee.locator('input[name="password1"]').fill(NEW_PASSWORD)
    invitee.locator('input[name="password2"]').fill(NEW_PASSWORD)
    screenshot(invitee, "invitation-accept")
    invitee.get_by_role("button", name="Maak mijn account aan").click()

    # Logged in, and on to choosing a second step (every role needs one): here the authenticator app.
    expect(invitee).to_have_url(SETUP_URL)
    expect(invitee.locator(".messages")).to_contain_text("Welkom bij Mentorwijs, Tessa.")
    secret = set_up_totp(invitee, NEW_PASSWORD)
    invitee.get_by_test_id("continue").click()
    expect(invitee).to_have_url(HOME_URL)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Welkom, Tessa")
    expect(invitee.locator("[data-testid=todo] [data-role=trainer]")).to_be_visible()
    user = User.objects.get(email=INVITEE)
    assert (user.first_name, user.last_name) == ("Tessa", "de Vries")
    assert user.roles == {"trainer"}
    assert user.check_password(NEW_PASSWORD)

    # Log out through the user menu (a POST button), then log in with the new account.
    invitee.get_by_role("button", name="Tessa", exact=True).click()
    invitee.get_by_role("button", name="Uitloggen").click()
    expect(invitee).to_have_url(LOGIN_URL)
    expect(invitee.locator("[data-testid=nav] a")).to_have_count(0)

    log_in(invitee, INVITEE, NEW_PASSWORD, totp_secret=secret)
    expect(invitee).to_have_url(HOME_URL)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Welkom, Tessa")
    expect(invitee.locator("main")).to_contain_text("Je werkt in Mentorwijs als: Trainer.")
    expect(invitee.locator("[data-testid=todo] [data-role=trainer]")).to_be_visible()
    assert nav_keys(invitee) == ["trainings", "certification", "open_runs"]

    # The link worked once.
    response = invitee.goto(link)
    assert response.status == 410
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Deze link kun je niet gebruiken")
    expect(invitee.locator("[data-testid=reason]")).to_have_text(
        "Deze uitnodiging is al gebruikt. Log in met je e-mailadres."
    )

    # Staff see the invitation as accepted.
    page.reload()
    expect(row.locator(".badge")).to_have_text("Geaccepteerd")
    expect(row.get_by_role("button", name="Intrekken")).to_have_count(0)
