"""Content-Security-Policy: the header forbids inline code, and the pages contain none.

The scan crawls, per role, every page reachable by links from the home page (one URL per URL
pattern) on the demo data set, and fails on inline <script> (JSON data blocks excepted), <style>
elements, style="" attributes, on*="" event handlers and javascript: links: all of which a browser
refuses under the policy (script-src 'self'; style-src 'self')."""

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from mentorwijs.accounts.models import User
from mentorwijs.mail import MAIL_HTML_POLICY
from mentorwijs.outbox.backends import OutboxBackend
from mentorwijs.outbox.models import CaughtMail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]

DEMO_USERS = {
    "staff": "staf@werkzaak.example",
    "master_trainer": "opleider@werkzaak.example",
    "trainer": "trainer@werkzaak.example",
    "ambassador": "ambassadeur@werkzaak.example",
}
# Not crawled: the admin (Django's own pages), log-out and language switch (POST only), uploads.
SKIP_PREFIXES = ("/beheer/", "/static/", "/media/", "/accounts/logout/", "/taal/")
ALSO_CRAWLED = ("/beheer/mail/",)
MAX_PAGES_PER_ROLE = 200
TRIES_PER_PATTERN = 3
URL_ATTRIBUTES = {"href", "src", "action", "formaction"}
HREF = re.compile(r'href="(/[^"#]*)"')


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


class InlineCodeFinder(HTMLParser):
    """Collects what a strict policy would block: inline scripts and styles, handlers, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src") and attributes.get("type") != "application/json":
            self.problems.append(f"inline <script {attrs}>")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            is_handler = name == "style" or name.startswith("on")
            is_javascript_url = name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:")
            if is_handler or is_javascript_url:
                self.problems.append(f'<{tag} {name}="{value}">')


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    # Plain-text checks too, in case the parser were lenient about broken markup.
    raw = []
    if re.search(r"""\sstyle\s*=\s*["']""", html):
        raw.append('style="" in the HTML')
    if re.search(r"""<[a-zA-Z][^>]*\son[a-z]+\s*=\s*["']""", html):
        raw.append('on*="" handler in the HTML')
    return finder.problems or raw


def crawl(client, *starts) -> dict[str, list[str]]:
    """GET same-site links from the start pages until each URL pattern gave one HTML page (at most
    TRIES_PER_PATTERN attempts each: another user's object answers 404); {url: problems} per page."""
    shown, tries, visited = set(), Counter(), set()
    queue, found = list(starts or ["/"]), {}
    while queue and len(visited) < MAX_PAGES_PER_ROLE:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in visited or (path.startswith(SKIP_PREFIXES) and not path.startswith(ALSO_CRAWLED)):
            continue
        try:
            pattern = resolve(path).view_name
        except Resolver404:
            continue
        if pattern in shown or tries[pattern] >= TRIES_PER_PATTERN:
            continue
        tries[pattern] += 1
        visited.add(url)
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        shown.add(pattern)
        html = response.content.decode()
        found[url] = inline_code(html)
        if pattern == "outbox:html":
            continue  # mail HTML under its own policy: test_caught_mail_html_is_shown_in_a_sandboxed_frame…
        csp = policy(response)
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert csp["script-src"] == ["'self'"], url
        assert csp["style-src"] == ["'self'"], url
        queue.extend(link.replace("&amp;", "&") for link in HREF.findall(html))
    return found


def catch_html_mail():
    message = mail.EmailMultiAlternatives("Onderwerp", "Tekst", "noreply@example.org", ["iemand@example.org"])
    message.attach_alternative('<p style="color: #0b5c57">HTML <b>met stijl</b></p>', "text/html")
    OutboxBackend().send_messages([message])
    return CaughtMail.objects.latest("pk")


@pytest.fixture
def demo_data():
    call_command("seed_demo")
    for user in User.objects.filter(email__in=DEMO_USERS.values()):
        if user.requires_two_factor:
            TOTP.activate(user, generate_totp_secret())
    catch_html_mail()


@pytest.mark.parametrize(
    "url",
    [reverse("account_login"), reverse("trainings:public_list"), reverse("newsletter:signup")],
)
def test_public_pages_send_a_policy_without_unsafe_inline(client, url):
    response = client.get(url)

    assert response.status_code == 200
    csp = policy(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]


def test_headers_set_referrer_policy_and_nosniff(client):
    response = client.get(reverse("account_login"))

    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_logged_in_page_sends_the_policy(staff_client):
    response = staff_client.get(reverse("overview:home"))

    assert response.status_code == 200
    assert policy(response)["script-src"] == ["'self'"]


def test_inline_code_finder_spots_what_the_policy_blocks():
    assert inline_code('<div style="color: red">x</div>')
    assert inline_code('<button onclick="go()">x</button>')
    assert inline_code("<script>alert(1)</script>")
    assert inline_code("<style>p { color: red }</style>")
    assert inline_code('<a href="javascript:go()">x</a>')
    assert not inline_code('<script src="/static/js/x.js"></script>')
    assert not inline_code('<script type="application/json" id="d">{"a": 1}</script>')
    assert not inline_code('<p>Kies de stijl="rustig" of <a href="?onderwerp=x">onderwerp</a></p>')
    assert not inline_code('<svg><rect fill="#0b5c57" width="10" height="4"></rect></svg>')


TEMPLATE_DIRS = [BASE_DIR / "templates", *BASE_DIR.glob("*/templates"), *BASE_DIR.glob("mentorwijs/*/templates")]
# Not rendered by a browser under the policy: mail (its HTML is shown through outbox:html) and the
# certificate, which WeasyPrint turns into a PDF.
NOT_FOR_BROWSERS = ("email/", "trainings/certificate_pdf.html")
INLINE_IN_SOURCE = [
    re.compile(r"<style\b", re.I),
    re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    re.compile(r"""\sstyle\s*=\s*["'{]""", re.I),
    re.compile(r"""<[a-zA-Z][^>]*\son[a-z]+\s*=\s*["'{]"""),
    re.compile(r"""=\s*["']\s*javascript:""", re.I),
]


def test_templates_hold_no_inline_code():
    """The source of every template a browser renders, also those the crawl below cannot reach
    (token links, error pages)."""
    offending = {}
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            name = path.relative_to(directory).as_posix()
            if name.startswith(NOT_FOR_BROWSERS):
                continue
            source = path.read_text()
            hits = [pattern.pattern for pattern in INLINE_IN_SOURCE if pattern.search(source)]
            if hits:
                offending[name] = hits
    assert offending == {}


def test_anonymous_pages_have_no_inline_code(client, demo_data):
    pages = crawl(client, reverse("trainings:public_list"))
    pages.update(crawl(client, reverse("account_login")))

    assert len(pages) >= 3
    assert {url: problems for url, problems in pages.items() if problems} == {}


@pytest.mark.parametrize("role", list(DEMO_USERS))
def test_pages_of_each_role_have_no_inline_code(client, demo_data, role):
    client.force_login(User.objects.get(email=DEMO_USERS[role]))

    pages = crawl(client, "/", reverse("outbox:list")) if role == "staff" else crawl(client, "/")

    assert len(pages) >= 8, sorted(pages)
    assert {url: problems for url, problems in pages.items() if problems} == {}


def test_caught_mail_html_is_shown_in_a_sandboxed_frame_with_its_own_policy(staff_client):
    caught = catch_html_mail()
    html_url = reverse("outbox:html", kwargs={"pk": caught.pk})

    detail = staff_client.get(reverse("outbox:detail", kwargs={"pk": caught.pk}))
    framed = staff_client.get(html_url)

    assert f'sandbox src="{html_url}"' in detail.content.decode()
    assert "srcdoc" not in detail.content.decode()
    assert inline_code(detail.content.decode()) == []
    assert framed.status_code == 200
    assert framed.content.decode().strip() == '<p style="color: #0b5c57">HTML <b>met stijl</b></p>'
    assert framed["Content-Security-Policy"] == MAIL_HTML_POLICY
    assert "script-src" not in MAIL_HTML_POLICY  # default-src 'none' forbids scripts
    assert framed["X-Frame-Options"] == "SAMEORIGIN"


def test_caught_mail_html_is_staff_only_and_404_without_html_part(client, staff_client):
    caught = catch_html_mail()
    text_only = CaughtMail.objects.create(
        from_email="a@example.org", recipients="b@example.org", subject="T", raw=b"Subject: T\n\nx"
    )
    assert staff_client.get(reverse("outbox:html", kwargs={"pk": text_only.pk})).status_code == 404

    client.logout()
    client.force_login(UserFactory(roles=["trainer", "ambassador"]))
    assert client.get(reverse("outbox:html", kwargs={"pk": caught.pk})).status_code == 403
