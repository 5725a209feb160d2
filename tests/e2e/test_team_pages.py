"""The team pages of issue 15 as staff use them, at desktop and phone width (artifacts/team-*.png):
find a trainer, change their roles, reset their two-factor and deactivate them (each asked first);
and one's own account."""

from playwright.sync_api import expect

from mentorwijs.accounts.models import User
from tests.e2e.helpers import HOME_URL, log_in, screenshot
from tests.factories import AssignmentFactory, InvitationFactory, UserFactory


def test_staff_manage_a_trainers_account_on_the_team_pages(page):
    staff = UserFactory(first_name="Sanne", last_name="Jansen", roles=["staff"], two_factor=True)
    trainer = UserFactory(
        first_name="Tom", last_name="Trainerman", email="tom.trainerman@example.org", roles=["trainer"]
    )
    AssignmentFactory(trainer=trainer, training__title="Mentorwijs Tiel voorjaar")
    UserFactory(first_name="Anouk", last_name="Ambassadeur", roles=["ambassador"], two_factor=False)
    UserFactory(first_name="Mirjam", last_name="Opleider", roles=["master_trainer", "trainer"])
    InvitationFactory(email="nog.niet@example.org", invited_by=staff)
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)

    page.get_by_role("button", name="Sanne").click()
    page.locator("[data-nav=team]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team en accounts")
    expect(page.get_by_test_id("account")).to_have_count(4)
    screenshot(page, "team-list")

    page.get_by_label("Zoeken").fill("trainerman")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_test_id("account")).to_have_count(1)
    page.get_by_role("link", name="Tom Trainerman").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tom Trainerman")
    screenshot(page, "team-account")

    roles = page.get_by_test_id("roles-form")
    roles.get_by_label("Ambassadeur").check()
    roles.get_by_role("button", name="Rollen opslaan").click()
    expect(page.get_by_test_id("account-facts")).to_contain_text("Trainer, Ambassadeur")

    # Both ask first, on a page of their own: cancelling changes nothing.
    page.get_by_test_id("two-factor-reset").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie van Tom Trainerman herstellen?")
    expect(page.get_by_test_id("confirm-account")).to_contain_text("tom.trainerman@example.org")
    expect(page.get_by_test_id("check-identity")).to_be_visible()
    screenshot(page, "team-confirm-two-factor-reset")
    page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("two-factor-state")).to_have_text("ingesteld")
    page.get_by_test_id("two-factor-reset").click()
    page.get_by_role("button", name="Ja, herstellen").click()
    expect(page.get_by_test_id("two-factor-state")).to_have_text("niet ingesteld")

    page.get_by_test_id("deactivate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tom Trainerman deactiveren?")
    expect(page.get_by_test_id("consequences")).to_contain_text("De rollen blijven")
    expect(page.get_by_test_id("commitments")).to_have_text("Mentorwijs Tiel voorjaar (Hoofdtrainer)")
    screenshot(page, "team-confirm-deactivate")
    page.get_by_role("button", name="Ja, deactiveren").click()
    expect(page.get_by_test_id("account-facts")).to_contain_text("Gedeactiveerd")
    trainer = User.objects.get(pk=trainer.pk)
    assert not trainer.is_active
    assert sorted(trainer.groups.values_list("name", flat=True)) == ["ambassador", "trainer"]

    page.get_by_role("button", name="Sanne").click()
    page.get_by_test_id("my-account").click()
    page.get_by_label("Achternaam").fill("Jansen-de Vries")
    page.get_by_role("button", name="Naam opslaan").click()
    expect(page.get_by_text("Je naam is gewijzigd.")).to_be_visible()
    screenshot(page, "team-my-account")
    assert User.objects.get(pk=staff.pk).last_name == "Jansen-de Vries"
