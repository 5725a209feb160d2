"""The menu of someone who holds every role (the longest there is) fits at 1280 px and on a phone, in
Dutch and in English: nothing sticks out, the bar stays one line, and every link of the navigation and of
the account menu can be reached and opened on the screen."""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorwijs.accounts.roles import Role
from tests.e2e.helpers import DESKTOP, PHONE, artifact, log_in, page_width, sticking_out
from tests.factories import UserFactory

OUTBOX_BACKEND = "mentorwijs.outbox.backends.OutboxBackend"

# Every link a holder of all roles may use, in the order of the navigation: the bar groups them per area
# (trainings, dissemination, their own work as a trainer), then the account menu.
ALL_KEYS = [
    "trainings",
    "evaluations",
    "quality",
    "organisations",
    "outreach",
    "dashboard",
    "ambassadors",
    "certification",
    "open_runs",
    "team",
    "invitations",
    "settings",
    "outbox",
    "privacy",
]


def assert_nothing_sticks_out(page: Page, width: int) -> None:
    assert page_width(page) <= width, sticking_out(page)
    assert sticking_out(page) == []


def assert_on_screen(page: Page, locator) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"] + 0.5, box


# The button that opens the dropdown (of the bar or the account menu) around a link.
DROPDOWN_TOGGLE = "ancestor::*[contains(concat(' ', @class, ' '), ' dropdown ')][1]/*[@data-bs-toggle='dropdown']"


def reach(page: Page, key: str) -> None:
    """Make the link `key` visible the way a person would: open the dropdown that holds it."""
    link = page.locator(f"header [data-nav={key}]")
    expect(link).to_have_count(1)
    if not link.is_visible():
        link.locator(f"xpath={DROPDOWN_TOGGLE}").click()
    assert_on_screen(page, link)


def close_dropdowns(page: Page) -> None:
    page.keyboard.press("Escape")
    expect(page.locator("header .dropdown-menu.show")).to_have_count(0)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_menu_of_every_role_fits_on_a_laptop_and_a_phone(page, settings, language):
    settings.EMAIL_BACKEND = OUTBOX_BACKEND  # the caught-mail link shows only where mail is caught
    user = UserFactory(first_name="Annemarie", last_name="Vermeulen", roles=list(Role), language=language)
    log_in(page, user.email, totp_secret=user.totp_secret)
    if language != "nl":
        page.locator(f"[data-testid=language-switch] button[value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    nav_keys = page.locator("header [data-nav]").evaluate_all("links => links.map(a => a.dataset.nav)")
    assert nav_keys == ALL_KEYS

    # 1280 px: the bar is open and one line high; every link is one click away and lies on the screen.
    page.set_viewport_size(DESKTOP)
    assert_nothing_sticks_out(page, DESKTOP["width"])
    expect(page.locator(".navbar-toggler")).to_be_hidden()
    navbar = page.locator("header .navbar").bounding_box()
    brand = page.locator("header .navbar-brand").bounding_box()
    assert navbar["height"] < 2 * brand["height"] + 24, navbar  # one row, not two
    for key in ALL_KEYS:
        reach(page, key)
        assert_nothing_sticks_out(page, DESKTOP["width"])
        if key in ("trainings", "certification", "team"):
            page.screenshot(path=artifact(f"menu-all-roles-{language}-{key}-desktop.png"), animations="disabled")
        close_dropdowns(page)
    expect(page.locator("[data-testid=language-switch] button")).to_have_count(2)
    for button in page.locator("[data-testid=language-switch] button").all():
        assert_on_screen(page, button)
    page.screenshot(path=artifact(f"menu-all-roles-{language}-desktop.png"), animations="disabled")

    # A phone: the links sit behind the menu button, and every one is reachable once it is open.
    page.set_viewport_size(PHONE)
    assert_nothing_sticks_out(page, PHONE["width"])
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    toggler.click()
    expect(page.locator("#main-nav.show")).to_be_visible()
    assert_nothing_sticks_out(page, PHONE["width"])
    for button in page.locator("[data-testid=language-switch] button").all():
        assert_on_screen(page, button)
    page.screenshot(path=artifact(f"menu-all-roles-{language}-phone.png"), full_page=True, animations="disabled")
    for key in ALL_KEYS:
        reach(page, key)
        assert_nothing_sticks_out(page, PHONE["width"])
        if key in ("trainings", "team"):
            page.screenshot(
                path=artifact(f"menu-all-roles-{language}-{key}-phone.png"), full_page=True, animations="disabled"
            )
        close_dropdowns(page)

    # A link in the opened menu opens its page.
    reach(page, "open_runs")
    link = page.locator("header [data-nav=open_runs]")
    href = link.get_attribute("href")
    link.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))


def test_every_combination_of_roles_keeps_the_bar_on_one_line(page, settings):
    """The widest bar of each combination: Dutch labels are the longer ones; the holder of all roles is
    walked through above."""
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    roles = list(Role)
    combinations = [[role for bit, role in enumerate(roles) if mask & (1 << bit)] for mask in range(1, 2 ** len(roles))]
    for combination in combinations:
        user = UserFactory(first_name="Annemarie", last_name="Vermeulen", roles=combination)
        page.context.clear_cookies()
        page.set_viewport_size(DESKTOP)
        log_in(page, user.email, totp_secret=user.totp_secret)
        expect(page.locator("[data-testid=nav]")).to_be_visible()
        assert page_width(page) <= DESKTOP["width"], (combination, sticking_out(page))
        navbar = page.locator("header .navbar").bounding_box()
        brand = page.locator("header .navbar-brand").bounding_box()
        assert navbar["height"] < 2 * brand["height"] + 24, (combination, navbar)
        page.set_viewport_size(PHONE)
        page.locator(".navbar-toggler").click()
        expect(page.locator("#main-nav.show")).to_be_visible()
        assert page_width(page) <= PHONE["width"], (combination, sticking_out(page))
