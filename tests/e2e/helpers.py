"""What the browser tests share: logging in through the real forms, reading the navigation, screenshots."""

import re
from pathlib import Path

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

HOME_URL = re.compile(r"^https?://[^/]+/$")
LOGIN_URL = re.compile(r"/accounts/login/$")
MFA_AUTHENTICATE_URL = re.compile(r"/accounts/2fa/authenticate/$")


_used_codes: dict[str, set[str]] = {}


def fresh_totp_code(secret: str) -> str:
    """A code valid now that this test session has not used yet for this secret: the current period's,
    else the next one's (MFA_TOTP_TOLERANCE = 1 accepts it, and keeps the current one valid into the
    next period). allauth refuses a code used before, so one user can log in twice in a test."""
    assert mfa_settings.TOTP_TOLERANCE >= 1
    counters = list(yield_hotp_counters_from_time())
    now = len(counters) // 2
    used = _used_codes.setdefault(secret, set())
    for counter in counters[now : now + 2]:
        code = format_hotp_value(hotp_value(secret, counter))
        if code not in used:
            used.add(code)
            return code
    raise AssertionError("both codes of this minute were used: a test logs in this user too often")


def submit_button(page: Page, field: str):
    """The submit button of the form in <main> that holds the named field (not the language switch)."""
    return page.locator(f'main form:has([name="{field}"]) button[type="submit"]:not([form])')


def log_in(page: Page, email: str, password: str = PASSWORD, totp_secret: str | None = None) -> None:
    """Log in through /accounts/login/ and, for two-factor users, allauth's code page."""
    page.goto("/accounts/login/")
    page.locator('main input[name="login"]').fill(email)
    page.locator('main input[name="password"]').fill(password)
    submit_button(page, "password").click()
    if totp_secret:
        expect(page).to_have_url(MFA_AUTHENTICATE_URL)
        page.locator('main input[name="code"]').fill(fresh_totp_code(totp_secret))
        submit_button(page, "code").click()


def nav_keys(page: Page) -> list[str]:
    """The data-nav keys of the main navigation, in order (also when the menu is collapsed)."""
    return page.locator("[data-testid=nav] [data-nav]").evaluate_all("links => links.map(a => a.dataset.nav)")


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def sticking_out(page: Page) -> list[str]:
    """Elements past the viewport's right edge that scroll the page (not those inside a scroll box)."""
    return page.evaluate(
        """() => {
            const past = e => e.getBoundingClientRect().right > window.innerWidth + 0.5;
            const inScrollBox = e => {
                for (let a = e.parentElement; a; a = a.parentElement) {
                    if (getComputedStyle(a).overflowX !== "visible") return true;
                }
                return false;
            };
            return [...document.querySelectorAll("body *")]
                .filter(e => past(e) && (!inScrollBox(e) || getComputedStyle(e).position === "absolute"))
                .filter(e => ![...e.children].some(past))
                .slice(0, 5)
                .map(e => `<${e.tagName.toLowerCase()} class="${e.className}"> ${e.textContent.trim().slice(0, 30)}`);
        }"""
    )


def artifact(filename: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / filename


def screenshot(page: Page, name: str) -> list[Path]:
    """Save <name>-desktop.png and <name>-phone.png (full page), checking neither scrolls sideways."""
    original = page.viewport_size
    paths = []
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        path = artifact(f"{name}-{label}.png")
        page.screenshot(path=path, full_page=True, animations="disabled")
        width = page_width(page)
        assert width <= size["width"], f"{name} is {width}px wide at {label} width: {sticking_out(page)}"
        paths.append(path)
    page.set_viewport_size(original)
    return paths


SETUP_URL = re.compile(r"/team/tweestapsverificatie/$")
REAUTHENTICATE_URL = re.compile(r"/accounts/reauthenticate/\?next=")
RECOVERY_CODES_URL = re.compile(r"/accounts/2fa/recovery-codes/$")


def confirm_password(page: Page, password: str = PASSWORD) -> None:
    """allauth's "log in again" page, before a change to the account's security."""
    expect(page).to_have_url(REAUTHENTICATE_URL)
    page.locator('main input[name="password"]').fill(password)
    submit_button(page, "password").click()


def set_up_totp(page: Page, password: str = PASSWORD) -> str:
    """From the set-up page: choose the authenticator app, log in again and type the app's code.
    Returns the secret (allauth shows a new one on every visit: read the one being submitted)."""
    expect(page).to_have_url(SETUP_URL)
    page.get_by_role("link", name="Authenticator-app koppelen").click()
    confirm_password(page, password)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    secret = page.locator("#authenticator_secret").input_value()
    page.locator('main input[name="code"]').fill(fresh_totp_code(secret))
    submit_button(page, "code").click()
    # Activated: allauth made recovery codes at the same time and shows them.
    expect(page).to_have_url(RECOVERY_CODES_URL)
    return secret
