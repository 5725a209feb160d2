"""Staff's own pages for mailing lists, renewal rules and refresher meetings, and the sign-up form with
and without a public list, at desktop and phone width (artifacts/*.png)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from ambassadors.models import RefresherMeeting, RenewalRule
from tests.e2e.helpers import HOME_URL, log_in, screenshot
from tests.factories import MailingListFactory, NewsletterFactory, SubscriberFactory, UserFactory


def log_in_as_staff(page):
    staff = UserFactory(first_name="Sanne", last_name="Jansen", roles=["staff"], two_factor=True)
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)
    return staff


def test_sign_up_form_without_and_with_a_public_list(page):
    MailingListFactory(name="Intern", public=False)
    page.goto("/nieuwsbrief/")
    expect(page.get_by_test_id("signup-closed")).to_contain_text("geen nieuwsbrief")
    expect(page.get_by_test_id("signup-form")).to_have_count(0)
    screenshot(page, "signup-closed")

    MailingListFactory(name="Werkgevers", description="Nieuws voor werkgevers en stagebedrijven, vier keer per jaar.")
    page.goto("/nieuwsbrief/")
    expect(page.get_by_label("Werkgevers")).to_be_checked()
    MailingListFactory(name="Scholen", description="Voor mbo-scholen en praktijkopleiders.")
    page.goto("/nieuwsbrief/")
    expect(page.get_by_test_id("signup-form")).to_contain_text("Voor mbo-scholen en praktijkopleiders.")
    expect(page.get_by_test_id("signup-form")).not_to_contain_text("Intern")
    screenshot(page, "signup-lists")


def test_mailing_list_pages(page):
    log_in_as_staff(page)
    news = MailingListFactory(name="Landelijk nieuws", description="Het nieuws van Mentorwijs voor iedereen.")
    MailingListFactory(name="Intern: regiocoördinatoren", public=False)
    SubscriberFactory.create_batch(3, lists=[news])
    NewsletterFactory(lists=[news])
    page.goto("/relaties/nieuwsbrieven/")
    page.get_by_test_id("mailing-lists-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verzendlijsten")
    page.get_by_test_id("mailing-list-create").click()
    page.get_by_label("Naam").fill("Werkgevers")
    page.get_by_label("Beschrijving").fill("Nieuws voor werkgevers en stagebedrijven.")
    screenshot(page, "mailing-list-form")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_test_id("mailing-list-row")).to_have_count(3)
    page.get_by_role("link", name="Werkgevers").click()
    page.get_by_test_id("mailing-list-archive").click()
    archived = page.get_by_test_id("mailing-list-row").filter(has_text="Werkgevers")
    expect(archived).to_contain_text("Gearchiveerd")
    expect(page.get_by_test_id("mailing-list-row").filter(has_text="Landelijk nieuws")).to_contain_text(
        "3 van 3 bevestigd"
    )
    screenshot(page, "mailing-lists")


def test_renewal_rules_and_refresher_pages(page):
    log_in_as_staff(page)
    # Migration data is flushed in the browser tier: the rules of the handbook, made here.
    for level in ("co_trainer", "trainer", "master_trainer"):
        RenewalRule.objects.create(level=level, kind="runs_given", minimum=2)
        RenewalRule.objects.create(level=level, kind="refreshers", minimum=1)
    RenewalRule.objects.create(level="trainer", kind="fidelity_reviews", minimum=1, minimum_score=Decimal("3.00"))
    trainers = [
        UserFactory(first_name=first, last_name=last, roles=["trainer"])
        for first, last in [("Tess", "de Vries"), ("Mohammed", "El Amrani"), ("Femke", "Bosch-van der Linden")]
    ]
    UserFactory(first_name="Olga", last_name="Opleider", roles=["master_trainer"])
    held_on = timezone.localdate() - timedelta(days=60)
    meeting = RefresherMeeting.objects.create(title="Terugkomdag najaar", held_on=held_on)
    meeting.attendees.set(trainers[:2])

    page.goto("/ambassadeurs/certificering/beoordelen/")
    page.get_by_test_id("renewal-rules-tab").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verlengingsregels")
    expect(page.get_by_test_id("renewal-rule-row")).to_have_count(7)
    row = page.get_by_test_id("renewal-rule-row").filter(has_text="Co-trainer").filter(has_text="Terugkomdagen")
    row.get_by_test_id("renewal-rule-deactivate").click()
    expect(page.get_by_test_id("renewal-rule-activate")).to_have_count(1)
    screenshot(page, "renewal-rules")

    page.get_by_test_id("renewal-rule-create").click()
    page.get_by_label("Niveau").select_option("trainer")
    page.get_by_label("Wat telt").select_option("runs_given")
    page.get_by_label("Minstens").fill("3")
    page.get_by_label("Minimale gemiddelde score").fill("3")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("main")).to_contain_text("Voor dit niveau is er al een regel die dit telt")
    expect(page.locator("main")).to_contain_text("Alleen een regel over getrouwheidsbeoordelingen")
    screenshot(page, "renewal-rule-form-errors")

    page.locator(".breadcrumb").get_by_role("link", name="Verlengingsregels").click()
    page.get_by_test_id("refreshers-tab").click()
    expect(page.get_by_test_id("refresher-row")).to_have_count(1)
    page.get_by_test_id("refresher-create").click()
    page.get_by_label("Titel").fill("Terugkomdag voorjaar")
    page.get_by_label("Gehouden op").fill(timezone.localdate().isoformat())
    page.get_by_label("Femke Bosch-van der Linden").check()
    page.get_by_label("Olga Opleider").check()
    screenshot(page, "refresher-form")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_test_id("refresher-row")).to_have_count(2)
    expect(page.get_by_test_id("refresher-row").first).to_contain_text("2")
    screenshot(page, "refreshers")
