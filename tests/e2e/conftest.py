"""Browser tier: Debian's headless Chromium, driven by Playwright, against pytest-django's live server.

Every test in this folder is marked `e2e`, so `make test` deselects them; run them with
`pytest -m e2e` (make e2e). Screenshots land in artifacts/ (git-ignored).
"""

import importlib
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import DESKTOP, TIMEOUT_MS

# Playwright's sync API keeps an event loop in the test thread; Django would otherwise refuse the
# ORM calls the tests make there (creating users, reading the results of a flow).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Every assertion waits at most this long; nothing in this tier waits without a bound.
expect.set_options(timeout=TIMEOUT_MS)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark everything in tests/e2e before `-m` deselects (hence tryfirst)."""
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """A test database of its own (test_<name>_e2e) on a server, so this tier can run while another
    tier (tests/services) uses test_<name>; SQLite test databases are in memory and need nothing."""
    from django.conf import settings

    for db_settings in settings.DATABASES.values():
        if db_settings["ENGINE"] != "django.db.backends.sqlite3":
            test_settings = db_settings.setdefault("TEST", {})
            test_settings["NAME"] = f"{test_settings.get('NAME') or 'test_' + db_settings['NAME']}_e2e"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright cannot download its own browser here: use the system Chromium."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture
def csp_violations():
    """Console messages of the test's browser contexts that report a Content-Security-Policy refusal;
    any left at the end fails the test (inline code slipped past the policy: see tests/security/test_csp.py)."""
    violations: list[str] = []
    yield violations
    if violations:
        pytest.fail("Content-Security-Policy violations in the browser:\n" + "\n".join(violations), pytrace=False)


def _record_csp_violation(violations, message):
    text = message.text
    if "Content Security Policy" in text or "Refused to" in text:
        violations.append(f"{message.type}: {text} ({message.location.get('url', '')})")


@pytest.fixture
def open_context(new_context, csp_violations):
    """Make a fresh browser context (its own cookies): desktop size, Dutch browser, bounded timeouts."""

    def _open(**kwargs):
        context = new_context(**{"viewport": DESKTOP, "locale": "nl-NL", **kwargs})
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.on("console", lambda message: _record_csp_violation(csp_violations, message))
        return context

    return _open


@pytest.fixture
def context(open_context):
    return open_context()


@pytest.fixture(scope="session")
def base_url(django_db_setup, live_server):
    """Relative URLs in page.goto() go to the live server (replaces pytest-playwright's --base-url).

    The test database is set up first, so an in-memory SQLite connection is shared with the server.
    """
    return live_server.url


@pytest.fixture(autouse=True)
def _regions(transactional_db):
    """The live server needs committed data, so tables are flushed after each test, and with them the
    35 regions of the data migration: put them back."""
    from dissemination.models import Region

    names = importlib.import_module("dissemination.migrations.0002_regions").REGIONS
    Region.objects.bulk_create([Region(name=name) for name in names], ignore_conflicts=True)
