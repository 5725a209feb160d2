"""The privacy pages of issue 14 as staff use them, at desktop and phone width (artifacts/*.png): the
register with its retention rules, the account list, an account's data, and its erasure (refused while
the trainer has a run to give, then done)."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from ambassadors.models import CertificationEvidence
from mentorwijs.accounts.models import User
from mentorwijs.privacy.models import ErasureRecord, RetentionRun
from tests.e2e.helpers import HOME_URL, log_in, screenshot
from tests.factories import (
    AmbassadorFactory,
    AssignmentFactory,
    CertificationFactory,
    OutreachContactFactory,
    TrainingFactory,
    UserFactory,
)


def log_in_as_staff(page):
    staff = UserFactory(first_name="Sanne", last_name="Jansen", roles=["staff"], two_factor=True)
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)
    return staff


def test_the_register_shows_the_retention_rules_and_their_figures(page):
    log_in_as_staff(page)
    now = timezone.now()
    RetentionRun.objects.create(
        started_at=now - timedelta(hours=5),
        finished_at=now - timedelta(hours=5),
        counts={"run_details_cleared": 31, "former_subscribers_forgotten": 12, "directory_people_anonymised": 4},
        rows_failed={"directory_people_anonymised": 1},
    )
    page.goto("/privacy/verwerkingsregister/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verwerkingsregister")
    rule = page.get_by_test_id("rule-former_subscribers_forgotten")
    expect(rule).to_contain_text("2 jaar")
    expect(rule.get_by_test_id("latest")).to_have_text("12")
    expect(page.get_by_test_id("run-overdue")).to_have_count(0)
    directory = page.get_by_test_id("rule-directory_people_anonymised").get_by_test_id("latest")
    expect(directory).to_have_text("4 1 rij mislukt")
    screenshot(page, "privacy-register")


def test_staff_find_an_account_see_its_data_and_erase_it(page):
    log_in_as_staff(page)
    trainer = UserFactory(
        first_name="Tom", last_name="Trainerman", email="tom.trainerman@example.org", roles=["trainer", "ambassador"]
    )
    AmbassadorFactory(user=trainer, offers=["tell_network"], public_listing=True)
    certification = CertificationFactory(holder=trainer, request_note="Ik gaf al drie jaar trainingen.")
    CertificationEvidence.objects.create(
        certification=certification,
        file="evidence/bewijs.pdf",
        original_name="diploma-tom.pdf",
        content_type="application/pdf",
        size=48_000,
    )
    OutreachContactFactory(logged_by=trainer, notes="Gesprek met de directeur over twee nieuwe werkbegeleiders.")
    coming = TrainingFactory(status="open", meetings=2, title="Mentorwijs Culemborg voorjaar")
    assignment = AssignmentFactory(training=coming, trainer=trainer, role="lead")
    for number in range(6):
        UserFactory(roles=["ambassador"], first_name=f"Ambassadeur{number}", last_name="Voorbeeld")

    page.goto("/privacy/accounts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts: gegevens en wissen")
    page.get_by_label("Naam of e-mailadres").fill("trainerman")
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_test_id("account")
    expect(rows).to_have_count(1)
    screenshot(page, "privacy-account-list")

    rows.get_by_role("link", name="Tom Trainerman").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tom Trainerman")
    expect(page.get_by_test_id("section-certifications")).to_contain_text("diploma-tom.pdf")
    expect(page.get_by_test_id("section-assignments")).to_contain_text("Mentorwijs Culemborg voorjaar")
    screenshot(page, "privacy-account-data")

    page.get_by_test_id("erase-link").click()
    expect(page.get_by_test_id("refusals")).to_contain_text("Mentorwijs Culemborg voorjaar")
    screenshot(page, "privacy-account-erase-refused")

    assignment.delete()
    page.reload()
    expect(page.get_by_test_id("refusals")).to_have_count(0)
    page.get_by_label("Reden").fill("Verzoek van de trainer per mail van 3 december")
    page.get_by_role("button", name="Wissen").click()
    expect(page.get_by_test_id("erasures")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Tom")
    screenshot(page, "privacy-account-erased")
    assert ErasureRecord.objects.get(user_id=trainer.pk).reason == "Verzoek van de trainer per mail van 3 december"
    assert not User.objects.get(pk=trainer.pk).is_active


def test_staff_are_told_only_a_superuser_erases_a_colleague(page):
    log_in_as_staff(page)
    colleague = UserFactory(first_name="Mira", last_name="Meester", roles=["staff", "master_trainer"])
    page.goto(f"/privacy/accounts/{colleague.pk}/wissen/")
    expect(page.get_by_test_id("refusals")).to_contain_text("Alleen een superuser")
    # Told once, and no form that could only be refused.
    expect(page.get_by_text("Alleen een superuser")).to_have_count(1)
    expect(page.get_by_test_id("erase-form")).to_have_count(0)
    expect(page.get_by_role("link", name="Terug naar de gegevens van het account")).to_be_visible()
    screenshot(page, "privacy-account-erase-colleague-refused")
    assert User.objects.get(pk=colleague.pk).is_active
