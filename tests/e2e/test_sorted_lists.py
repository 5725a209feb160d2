"""Lists sorted by a column header (issue 17), at desktop and phone width: the public register, the
invitations, the certification requests, the fidelity heat map, the lineage's trainers, the
refresher meetings and the audit trail."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from ambassadors.models import FidelityReview, FidelityScore, RefresherMeeting
from dissemination.models import Region
from tests.e2e.helpers import HOME_URL, log_in, screenshot
from tests.factories import AmbassadorFactory, CertificationFactory, InvitationFactory, UserFactory
from trainings.enums import ActiveComponent, AssignmentRole
from trainings.models import Assignment, Training


def names_in(page, testid):
    return page.locator(f'[data-testid="{testid}"] tbody tr').evaluate_all(
        "rows => rows.map(r => r.querySelector('th, td').innerText.trim().split('\\n')[0])"
    )


def test_the_public_register_sorts_by_a_header(page):
    region = Region.objects.get(name="Achterhoek")
    today = timezone.localdate()
    for first, last, level, days in [
        ("Anke", "Zwart", "master_trainer", 500),
        ("Bas", "de Vries", "trainer", 90),
        ("Cor", "Appel", "co_trainer", 300),
    ]:
        user = UserFactory(first_name=first, last_name=last, roles=["trainer"])
        AmbassadorFactory(user=user, kind="trainer", public_listing=True, region=region)
        CertificationFactory(holder=user, level=level, valid_until=today + timedelta(days=days))
    page.goto("/ambassadeurs/register/")
    rows = page.locator('[data-testid="registered-trainer"] td:first-child')
    expect(rows.first).to_contain_text("Cor Appel")
    page.locator('th a[data-sort="expires"]').click()
    expect(rows.first).to_contain_text("Bas de Vries")
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Verloopt op")
    screenshot(page, "sorted-register")


def test_staff_sort_invitations_requests_heat_map_lineage_refreshers_and_audit(page):
    staff = UserFactory(first_name="Sanne", last_name="Staf", roles=["staff"], two_factor=True)
    log_in(page, staff.email, totp_secret=staff.totp_secret)
    expect(page).to_have_url(HOME_URL)
    now = timezone.now()

    InvitationFactory(email="eva.jansen@voorbeeldschool.nl", invited_by=staff, roles=["trainer"])
    InvitationFactory(email="arjen@gemeente.example.nl", invited_by=staff, created_at=now - timedelta(days=30))
    InvitationFactory(email="lotte@bedrijf.example.nl", invited_by=None, roles=["ambassador", "trainer"])
    page.goto("/team/uitnodigingen/")
    page.locator('th a[data-sort="email"]').click()
    expect(page.locator("main table tbody tr").first).to_contain_text("arjen@gemeente.example.nl")
    page.locator('th a[data-sort="status"]').click()
    expect(page.locator("main table tbody tr").last).to_contain_text("Verlopen")
    screenshot(page, "sorted-invitations")

    region = Region.objects.get(name="Rivierenland")
    for first, score, runs in [("Annelies", 4, 1), ("Bart", 1, 2), ("Chantal", 3, 1)]:
        trainer = UserFactory(first_name=first, last_name="de Groot", roles=["trainer"])
        CertificationFactory(holder=trainer, certified_by=staff if first == "Bart" else None)
        for number in range(runs):
            run = Training.objects.create(title=f"Mentorwijs {first} {number}", region=region, status="completed")
            Assignment.objects.create(training=run, trainer=trainer, role=AssignmentRole.LEAD)
            review = FidelityReview.objects.create(training=run, reviewer=trainer, kind="self_report", average=score)
            FidelityScore.objects.bulk_create(
                FidelityScore(review=review, component=component, score=score if component == "autonomy" else 3)
                for component in ActiveComponent.values
            )
        CertificationFactory(
            holder=UserFactory(first_name=f"{first}s collega", roles=["trainer"]),
            status="requested",
            valid_from=None,
            valid_until=None,
            level="co_trainer" if first == "Bart" else "trainer",
        )
    page.goto("/ambassadeurs/certificering/beoordelen/")
    page.locator('th a[data-sort="level"]').click()
    expect(page.locator('[data-testid="request"]').first).to_contain_text("Barts collega")
    screenshot(page, "sorted-review-list")

    page.goto("/ambassadeurs/modelgetrouwheid/")
    page.locator('th a[data-sort="autonomy"]').click()
    expect(page.locator('[data-testid="trainer-row"]').first).to_contain_text("Bart")
    screenshot(page, "sorted-fidelity")

    page.goto("/ambassadeurs/stamboom/")
    page.locator('th a[data-sort="runs"]').click()
    page.locator('th a[data-sort="runs"]').click()
    expect(page.locator('[data-testid="lineage-flat"]')).to_be_visible()
    expect(page.locator('[data-testid="lineage-row"]').first).to_contain_text("Bart")
    screenshot(page, "sorted-lineage")

    today = timezone.localdate()
    for title, days in [("Terugkomdag voorjaar", 200), ("Terugkomdag najaar", 30), ("Intervisie trainers", 90)]:
        RefresherMeeting.objects.create(title=title, held_on=today - timedelta(days=days))
    page.goto("/ambassadeurs/terugkomdagen/")
    page.locator('th a[data-sort="title"]').click()
    expect(page.locator('[data-testid="refresher-row"]').first).to_contain_text("Intervisie trainers")
    screenshot(page, "sorted-refreshers")

    page.goto("/privacy/wijzigingen/")
    page.locator('th a[data-sort="when"]').click()
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Wanneer")
    screenshot(page, "sorted-audit")
