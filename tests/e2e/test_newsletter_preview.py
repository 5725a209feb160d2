"""Composing a newsletter with its live preview, then its detail page: the mail's HTML is shown in a
sandboxed iframe loaded from a page of its own with the mail policy, so its inline styles raise no
Content-Security-Policy violation (the `csp_violations` fixture fails the test on one). Without
JavaScript the "Preview" button posts the form into the iframe."""

import re

from playwright.sync_api import expect

from dissemination.enums import NewsletterStatus
from dissemination.models import Newsletter
from tests.e2e.helpers import DESKTOP, HOME_URL, PHONE, artifact, log_in, screenshot
from tests.factories import MailingListFactory, UserFactory

PREVIEW = "[data-testid=newsletter-preview]:visible"
DETAIL_URL = re.compile(r"/relaties/nieuwsbrieven/\d+/$")


def test_compose_with_live_preview_then_the_detail_page(page):
    staff = UserFactory(first_name="Sanne", roles=["staff"], two_factor=True)
    MailingListFactory(name="Nieuws voor werkgevers")
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)

    page.goto("/relaties/nieuwsbrieven/nieuw/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwe nieuwsbrief")
    expect(page.get_by_test_id("newsletter-preview-button")).to_be_hidden()  # the preview follows the typing
    preview = page.frame_locator(PREVIEW)
    expect(preview.locator("body")).to_contain_text("Werkzaak")  # the empty mail, in the branded template
    history = page.evaluate("history.length")

    page.get_by_label("Onderwerp").fill("Nieuwsbrief voorjaar")
    page.get_by_label("Tekst").press_sequentially("Hallo **allemaal**,\n\n# Trainingen in april\n", delay=5)
    expect(preview.locator("h1")).to_have_text("Trainingen in april")
    expect(preview.locator("strong")).to_have_text("allemaal")
    assert page.evaluate("history.length") == history  # previews add no steps to Back
    assert page.locator("iframe[data-testid=newsletter-preview]").count() == 1
    screenshot(page, "newsletter-compose")

    page.get_by_label("Nieuws voor werkgevers").check()
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page).to_have_url(DETAIL_URL)
    expect(page.locator(".alert")).to_contain_text("Nieuwsbrief opgeslagen.")
    newsletter = Newsletter.objects.get()
    assert (newsletter.subject, newsletter.status) == ("Nieuwsbrief voorjaar", NewsletterStatus.DRAFT)
    assert "# Trainingen in april" in newsletter.body
    framed = page.frame_locator("[data-testid=newsletter-preview]")
    expect(framed.locator("h1")).to_have_text("Trainingen in april")
    expect(framed.locator("strong")).to_have_text("allemaal")
    screenshot(page, "newsletter-detail")
    # Chromium does not paint a cross-origin (here: sandboxed) iframe that is off screen, as in the
    # full-page shot at phone width: the frame on its own once scrolled into view.
    page.set_viewport_size(PHONE)
    page.get_by_test_id("newsletter-preview").screenshot(path=artifact("newsletter-detail-phone-preview.png"))
    page.set_viewport_size(DESKTOP)


def test_the_preview_button_works_without_javascript(open_context):
    staff = UserFactory(roles=["staff"], two_factor=True)
    page = open_context(java_script_enabled=False).new_page()
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)

    page.goto("/relaties/nieuwsbrieven/nieuw/")
    expect(page.get_by_text("Kies „Voorbeeld” om de mail hier te zien")).to_be_visible()
    page.get_by_label("Onderwerp").fill("Zonder script")
    page.get_by_label("Tekst").fill("Een *voorbeeld* zonder JavaScript")
    page.get_by_test_id("newsletter-preview-button").click()

    expect(page.frame_locator("[data-testid=newsletter-preview]").locator("em")).to_have_text("voorbeeld")
    expect(page).to_have_url(re.compile(r"/relaties/nieuwsbrieven/nieuw/$"))  # the page stays, with what was typed
    expect(page.get_by_label("Onderwerp")).to_have_value("Zonder script")
    assert Newsletter.objects.count() == 0
