"""Composing a newsletter with its live preview, then its detail page: the mail's HTML is shown in a
sandboxed iframe loaded from a page of its own with the mail policy, so its inline styles raise no
Content-Security-Policy violation (the `csp_violations` fixture fails the test on one). Without
JavaScript the "Preview" button posts the form into the iframe."""

import re

from django.conf import settings
from playwright.sync_api import expect

from dissemination.enums import NewsletterStatus
from dissemination.models import Newsletter, Subscriber
from dissemination.services.subscriptions import subscriber_confirm
from dissemination.tokens import preferences_url
from tests.e2e.helpers import DESKTOP, HOME_URL, PHONE, artifact, log_in, screenshot
from tests.factories import MailingListFactory, SubscriberFactory, UserFactory

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

    # The greeting and sign-off the mail adds stand above and below the text, fixed and labelled.
    expect(page.get_by_test_id("newsletter-body-greeting")).to_contain_text("Wordt toegevoegd")
    expect(page.get_by_test_id("newsletter-body-greeting")).to_contain_text("Hallo {voornaam},")
    expect(page.get_by_test_id("newsletter-body-sign-off")).to_contain_text("Met vriendelijke groet,")
    expect(preview.locator("body")).to_contain_text("Hallo Sanne,")  # the preview greets the writer

    page.locator("main [name=subject]").fill("Nieuwsbrief voorjaar")
    page.locator("main [name=body]").press_sequentially(
        "Voor **allemaal**:\n\n# Trainingen in april\nTiel\nCulemborg\n", delay=5
    )
    expect(preview.locator("h1")).to_have_text("Trainingen in april")
    expect(preview.locator("strong")).to_have_text("allemaal")
    expect(preview.locator("p", has_text="Tiel").locator("br")).to_have_count(1)  # a line break is kept
    assert page.evaluate("history.length") == history  # previews add no steps to Back
    assert page.locator("iframe[data-testid=newsletter-preview]").count() == 1
    screenshot(page, "newsletter-compose")

    # The English version, previewed with the switch beside the preview.
    page.get_by_test_id("newsletter-english").locator("summary").click()
    page.get_by_label("Onderwerp in het Engels").fill("Spring newsletter")
    page.get_by_label("Tekst in het Engels").fill("# Training in April")
    expect(page.locator("#preview-en")).to_be_checked()  # the preview follows the version being typed
    expect(preview.locator("h1")).to_have_text("Training in April")
    expect(preview.locator("body")).to_contain_text("Hello Sanne,")
    expect(preview.locator("body")).to_contain_text("Kind regards,")
    screenshot(page, "newsletter-compose-english")
    page.get_by_test_id("newsletter-preview-language").get_by_text("Nederlands").click()
    expect(preview.locator("h1")).to_have_text("Trainingen in april")

    page.get_by_label("Nieuws voor werkgevers").check()
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page).to_have_url(DETAIL_URL)
    expect(page.locator(".alert")).to_contain_text("Nieuwsbrief opgeslagen.")
    newsletter = Newsletter.objects.get()
    assert (newsletter.subject, newsletter.status) == ("Nieuwsbrief voorjaar", NewsletterStatus.DRAFT)
    assert "# Trainingen in april" in newsletter.body
    assert (newsletter.subject_en, newsletter.body_en) == ("Spring newsletter", "# Training in April")
    framed = page.frame_locator("[data-testid=newsletter-preview]")
    expect(framed.locator("h1")).to_have_text("Trainingen in april")
    expect(framed.locator("strong")).to_have_text("allemaal")
    expect(page.frame_locator("[data-testid=newsletter-preview-en]").locator("h1")).to_have_text("Training in April")
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
    page.locator("main [name=subject]").fill("Zonder script")
    page.locator("main [name=body]").fill("Een *voorbeeld* zonder JavaScript")
    page.get_by_test_id("newsletter-preview-button").click()

    expect(page.frame_locator("[data-testid=newsletter-preview]").locator("em")).to_have_text("voorbeeld")
    expect(page).to_have_url(re.compile(r"/relaties/nieuwsbrieven/nieuw/$"))  # the page stays, with what was typed
    expect(page.locator("main [name=subject]")).to_have_value("Zonder script")
    assert Newsletter.objects.count() == 0


def test_a_writer_who_greets_is_told_the_mail_does_it(page):
    staff = UserFactory(roles=["staff"], two_factor=True)
    MailingListFactory(name="Nieuws voor werkgevers")
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)

    page.goto("/relaties/nieuwsbrieven/nieuw/")
    page.locator("main [name=subject]").fill("Nieuws")
    page.locator("main [name=body]").fill("Beste lezer,\n\nDe training start in maart.")
    page.get_by_label("Nieuws voor werkgevers").check()
    page.get_by_role("button", name="Concept opslaan").click()

    expect(page.get_by_test_id("newsletter-body").locator("..")).to_contain_text("haal „Beste lezer,” weg")
    assert Newsletter.objects.count() == 0
    screenshot(page, "newsletter-compose-own-greeting")


def test_the_sign_up_form_asks_for_the_region(page):
    MailingListFactory(name="Werkgevers", description="Nieuws voor werkgevers en stagebedrijven.")
    page.goto("/nieuwsbrief/")
    form = page.get_by_test_id("signup-form")
    expect(form.get_by_label("Voornaam")).to_be_visible()
    expect(form.get_by_label("Je regio")).to_contain_text("Weet ik niet / heel Nederland")
    form.get_by_label("E-mailadres").fill("lotte@example.org")
    form.get_by_label("Voornaam").fill("Lotte")
    form.get_by_label("Je regio").select_option(label="Rivierenland")
    screenshot(page, "signup-region")
    form.get_by_role("button", name="Aanmelden").click()
    expect(page).to_have_url(re.compile(r"/nieuwsbrief/aangemeld/$"))
    subscriber = Subscriber.objects.get()
    assert (subscriber.first_name, subscriber.region.name) == ("Lotte", "Rivierenland")


def test_a_subscriber_chooses_language_and_region_on_the_preference_page(page):
    news = MailingListFactory(name="Werkgevers", description="Nieuws voor werkgevers en stagebedrijven.")
    subscriber = SubscriberFactory(email="lotte@example.org", name="Lotte de Lezer")
    subscriber_confirm(subscriber=subscriber, list_ids=[news.pk])
    page.goto(preferences_url(subscriber).removeprefix(settings.SITE_URL))
    form = page.get_by_test_id("preferences-form")
    expect(form.get_by_label("Werkgevers")).to_be_checked()
    form.get_by_label("Taal van de nieuwsbrief").select_option(label="Engels")
    form.get_by_label("Je regio").select_option(label="Rivierenland")
    screenshot(page, "newsletter-preferences")
    form.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_test_id("preferences-saved")).to_be_visible()
    subscriber.refresh_from_db()
    assert (subscriber.language, subscriber.region.name) == ("en", "Rivierenland")
