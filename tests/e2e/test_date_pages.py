"""Pages that show many dates read them through the named formats: Dutch month names in lower case on a
Dutch page, English ones on an English page; screenshots of each at 1280 and 390 px."""

import re
from datetime import datetime, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import log_in, screenshot
from tests.factories import MaterialFactory, NewsletterFactory, TrainingFactory, UserFactory

ENGLISH_MONTHS = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b"
)
TITLE_CASE_SHORT_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Mrt|Apr|Jun|Jul|Aug|Sep|Oct|Okt|Nov|Dec)\b")


def test_dates_read_in_the_language_of_the_page(page):
    first = timezone.make_aware(datetime(2027, 1, 12, 18, 0))
    training = TrainingFactory(title="Mentorwijs Culemborg", meetings=3, meetings__first_meeting=first)
    MaterialFactory(title="Handboek")
    NewsletterFactory(subject="Nieuws in maart", scheduled_at=timezone.now() + timedelta(days=3))
    staff = UserFactory(first_name="Sanne", last_name="Jansen", roles=["staff"])
    log_in(page, staff.email, totp_secret=staff.totp_secret)

    pages = {
        "dates-training-detail": f"/trainingen/{training.pk}/",
        "dates-training-list": "/trainingen/",
        "dates-public-list": "/trainingen/aanbod/",
        "dates-materials-manage": "/materialen/beheer/",
        "dates-newsletter-list": "/relaties/nieuwsbrieven/",
    }
    for name, url in pages.items():
        page.goto(url)
        main = page.locator("main").inner_text()
        assert not ENGLISH_MONTHS.search(main), (url, ENGLISH_MONTHS.search(main))
        assert not TITLE_CASE_SHORT_MONTHS.search(main), (url, TITLE_CASE_SHORT_MONTHS.search(main))
        screenshot(page, name)
    page.goto(f"/trainingen/{training.pk}/")
    expect(page.locator("main")).to_contain_text("dinsdag 12 januari 2027, 18:00–21:00")

    page.locator("[data-testid=language-switch] button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("Tuesday 12 January 2027, 18:00–21:00")
    assert "januari" not in page.locator("main").inner_text()
    screenshot(page, "dates-training-detail-en")
