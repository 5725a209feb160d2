"""The main lists and the login page, at desktop and phone width (artifacts/*.png)."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from dissemination.enums import TargetGroup
from dissemination.models import Region
from tests.e2e.helpers import HOME_URL, log_in, screenshot
from tests.factories import InvitationFactory, OrganisationFactory, UserFactory


def test_login_page(page):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    expect(page.locator('main input[name="login"]')).to_be_visible()
    expect(page.locator('main input[name="password"]')).to_be_visible()
    screenshot(page, "login")


def log_in_as_staff(page):
    staff = UserFactory(first_name="Sanne", last_name="Jansen", roles=["staff"], two_factor=True)
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)
    return staff


def test_invitation_list(page):
    staff = log_in_as_staff(page)
    now = timezone.now()
    InvitationFactory(email="nieuw@example.org", roles=["trainer"], invited_by=staff)
    InvitationFactory(email="twee.rollen@example.org", roles=["master_trainer", "trainer"], invited_by=staff)
    InvitationFactory(email="ingetrokken@example.org", roles=["ambassador"], invited_by=staff, revoked_at=now)
    InvitationFactory(
        email="verlopen@example.org", roles=["staff"], invited_by=staff, created_at=now - timedelta(days=8)
    )
    page.goto("/team/uitnodigingen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitnodigingen")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(4)
    badges = {
        "nieuw@example.org": "Open",
        "twee.rollen@example.org": "Open",
        "ingetrokken@example.org": "Ingetrokken",
        "verlopen@example.org": "Verlopen",
    }
    for email, status in badges.items():
        expect(rows.filter(has_text=email).locator(".badge")).to_have_text(status)
    expect(rows.filter(has_text="twee.rollen@example.org")).to_contain_text("Opleider, Trainer")
    expect(page.get_by_role("button", name="Intrekken")).to_have_count(2)  # only open ones
    screenshot(page, "invitations")


def test_organisation_list(page):
    log_in_as_staff(page)
    # The regions are migration data, which transactional tests flush: make the ones used here.
    rivierenland, _ = Region.objects.get_or_create(name="Rivierenland")
    gelderland, _ = Region.objects.get_or_create(name="Midden-Gelderland")
    OrganisationFactory(name="Bakkerij De Linge", city="Tiel", region=rivierenland)
    OrganisationFactory(
        name="Praktijkschool Rivierenland", city="Culemborg", target_group=TargetGroup.SCHOOLS, region=rivierenland
    )
    OrganisationFactory(
        name="Gemeente Arnhem", city="Arnhem", target_group=TargetGroup.MUNICIPALITIES, region=gelderland
    )

    page.goto("/relaties/organisaties/")
    expect(page).to_have_url(re.compile(r"/relaties/organisaties/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisaties")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Bakkerij De Linge")
    expect(page.locator("main")).to_contain_text("3 organisaties")
    screenshot(page, "organisations")

    # The filter narrows the list.
    page.locator('main input[name="q"]').fill("culemborg")
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(r"[?&]q=culemborg"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Praktijkschool Rivierenland")
    expect(page.locator("main")).to_contain_text("1 organisatie")
