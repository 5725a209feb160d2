"""Who sees which people, in the browser (issue 14): an ambassador's person list holds their own
people only and locks an address that mail goes to; staff see everyone; a participant changes their
own address on their personal page, on a phone. Screenshots: artifacts/people-*.png, personal-email-*.png."""

import re

from django.core import mail
from playwright.sync_api import expect

from dissemination.models import Organisation, Person, Region
from tests.e2e.helpers import HOME_URL, PHONE, log_in, screenshot
from tests.factories import EnrolmentFactory, OutreachContactFactory, PersonFactory, TrainingFactory, UserFactory
from trainings.models import Enrolment


def _people():
    """Two ambassadors' people at one organisation, and a participant who is A's contact too."""
    region, _ = Region.objects.get_or_create(name="Rivierenland")  # transactional tests flush migration data
    organisation = Organisation.objects.create(name="Bakkerij De Linge", target_group="employers", region=region)
    a = UserFactory(first_name="Anouk", roles=["ambassador"])
    b = UserFactory(first_name="Bas", roles=["ambassador"])

    def person(first, last, **kwargs):
        return PersonFactory(
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower().replace(' ', '')}@bakkerij-linge.nl",
            function="Teamleider",
            organisation=organisation,
            **kwargs,
        )

    own = [person("Femke", "de Boer", added_by=a), person("Joost", "Hendriks", added_by=a)]
    participant = person("Saskia", "van Dijk")
    OutreachContactFactory(logged_by=a, organisation=organisation, person=participant)
    EnrolmentFactory(training=TrainingFactory(meetings=5, region=region), person=participant)
    others = [person("Ruud", "Kok", added_by=b), person("Mila", "Verbeek")]
    return a, own, participant, others


def test_an_ambassador_sees_their_own_people_and_cannot_change_a_participants_address(page):
    a, own, participant, others = _people()
    log_in(page, a.email, totp_secret=a.totp_secret)
    expect(page).to_have_url(HOME_URL)
    page.goto("/relaties/personen/")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    for person in [*own, participant]:
        expect(rows.filter(has_text=str(person))).to_have_count(1)
    for person in others:
        expect(page.locator("main")).not_to_contain_text(person.last_name)
    screenshot(page, "people-ambassador")

    rows.filter(has_text=str(participant)).get_by_role("link", name=str(participant)).click()
    email = page.locator('main input[name="email"]')
    expect(email).to_be_disabled()
    expect(page.locator("main")).to_contain_text("alleen Werkzaak-medewerkers of de persoon zelf")
    screenshot(page, "people-ambassador-locked-address")


def test_staff_see_everyone(page):
    _a, own, participant, others = _people()
    staff = UserFactory(first_name="Sanne", roles=["staff"], two_factor=True)
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)
    page.goto("/relaties/personen/")
    expect(page.locator("main table tbody tr")).to_have_count(len(own) + 1 + len(others))
    screenshot(page, "people-staff")


def test_a_participant_changes_their_address_on_a_phone(page):
    page.set_viewport_size(PHONE)
    enrolment = EnrolmentFactory(
        training=TrainingFactory(meetings=5, title="Mentorwijs Tiel voorjaar"),
        person__first_name="Saskia",
        person__last_name="van Dijk",
        person__email="saskia@oud-adres.nl",
    )
    page.goto(f"/trainingen/mijn/{enrolment.token}/")
    expect(page.get_by_test_id("personal-email")).to_have_text("saskia@oud-adres.nl")
    page.locator("main").get_by_role("link", name="Je e-mailadres wijzigen").click()
    expect(page).to_have_url(re.compile(r"/emailadres/$"))
    page.locator('main input[name="email"]').fill("saskia@nieuw-werk.nl")
    screenshot(page, "personal-email")
    page.get_by_role("button", name="Adres wijzigen").click()
    # The page goes on with the new link; the one in the old mailbox opens nothing any more.
    new_token = Enrolment.objects.get(pk=enrolment.pk).token
    assert new_token != enrolment.token
    expect(page).to_have_url(re.compile(rf"/trainingen/mijn/{new_token}/$"))
    expect(page.get_by_test_id("personal-email")).to_have_text("saskia@nieuw-werk.nl")
    expect(page.locator("main")).to_contain_text("de links in eerdere mails werken niet meer")
    screenshot(page, "personal-email-changed")
    assert Person.objects.get(pk=enrolment.person_id).email == "saskia@nieuw-werk.nl"
    assert [message.to for message in mail.outbox] == [["saskia@oud-adres.nl"], ["saskia@nieuw-werk.nl"]]
    assert new_token in mail.outbox[1].body
    assert page.goto(f"/trainingen/mijn/{enrolment.token}/").status == 404
