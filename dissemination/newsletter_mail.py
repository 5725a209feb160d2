"""Newsletter mail: render a campaign once, build one message per recipient cheaply.

`render_campaign(subject=..., body=..., language=...)` turns the Markdown body into sanitised HTML (nh3,
single line breaks kept as <br>) and renders
the branded templates (templates/email/dissemination/newsletter.html and .txt) once, with
placeholders where the greeting and the personal links go. `build_message` fills those placeholders
per recipient by plain string replacement, so a campaign of 100,000 recipients renders its templates
once per process (the result is cached per subject, body and language), not 100,000 times.

The mail adds the greeting ("Hallo Jan,", from the subscriber's first name; "Hallo," without one) above
the writer's text and the sign-off below it; the compose page shows both as fixed parts
(`fixed_parts`), and newsletter_save refuses a text that starts with a greeting or ends with a sign-off
of its own. A campaign may have an English version: `campaign_versions` renders each version once and
`version_for` picks the subscriber's (English for those who chose English when there is one).
`build_raw_message` goes one step further for an SMTP connection: the serialized message is built once
per render and process with tokens for the personal parts, which are replaced in the bytes per
recipient; it returns None (use `build_message`) where that would not give what `build_message` sends.

Messages take their shape from mentorwijs.mail.compose, as every other mail does. Every newsletter
carries a Message-ID derived from campaign and subscriber (a message sent twice after
a crash carries the same one), List-Unsubscribe with an https link and a mailto, and
List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058).
"""

import re
import secrets
from dataclasses import dataclass
from email.utils import formatdate
from functools import lru_cache

import markdown
import nh3
from django.conf import settings
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from mentorwijs import mail

from .tokens import preferences_url, unsubscribe_token, unsubscribe_url

# Stand-ins the templates receive instead of the personal parts; nothing a writer types looks like this.
GREETING = "%%MENTORWIJS-GREETING%%"
PREFERENCES_URL = "%%MENTORWIJS-PREFERENCES-URL%%"
UNSUBSCRIBE_URL = "%%MENTORWIJS-UNSUBSCRIBE-URL%%"
NAME = "%%MENTORWIJS-NAME%%"

MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "nl2br"]  # nl2br: a single line break stays one (<br>)
SIGN_OFF_NAME = "Mentorwijs · Werkzaak Rivierenland"


@dataclass(frozen=True)
class RenderedCampaign:
    subject: str
    html: str
    text: str
    greeting_named: str  # with NAME where the recipient's name goes
    greeting_plain: str
    language: str

    def greeting(self, name: str) -> str:
        name = " ".join(name.split())
        return self.greeting_named.replace(NAME, name) if name else self.greeting_plain


@dataclass(frozen=True)
class FixedParts:
    """What the mail adds around the writer's text, as the compose page shows it."""

    greeting: str
    greeting_without_name: str
    sign_off: str
    sign_off_name: str


def fixed_parts(language: str | None = None) -> FixedParts:
    with translation.override(language or settings.LANGUAGE_CODE):
        return FixedParts(
            greeting=_("Hello %(name)s,") % {"name": _("{first name}")},
            greeting_without_name=_("Hello,"),
            sign_off=_("Kind regards,"),
            sign_off_name=SIGN_OFF_NAME,
        )


def campaign_versions(newsletter) -> dict[str, "RenderedCampaign"]:
    """The campaign rendered once per version it has: Dutch always, English when written."""
    versions = {"nl": render_campaign(subject=newsletter.subject, body=newsletter.body, language="nl")}
    if newsletter.has_english:
        versions["en"] = render_campaign(subject=newsletter.subject_en, body=newsletter.body_en, language="en")
    return versions


def version_for(versions: dict[str, "RenderedCampaign"], language: str) -> "RenderedCampaign":
    """The version a subscriber with this language gets: theirs when there is one, else the Dutch."""
    return versions.get(language) or versions["nl"]


def body_html(body: str) -> str:
    """Markdown to HTML that is safe to show and to mail: nh3 keeps the harmless tags and drops
    scripts, styles, event handlers and javascript: links."""
    return nh3.clean(markdown.markdown(body, extensions=MARKDOWN_EXTENSIONS))


def render_campaign(*, subject: str, body: str, language: str | None = None) -> RenderedCampaign:
    """The campaign's parts with placeholders for the personal bits; cached (a pure function of its
    arguments), so the batches of one campaign in one worker process render it once."""
    return _render(subject, body, language or settings.LANGUAGE_CODE)


@lru_cache(maxsize=8)
def _render(subject: str, body: str, language: str) -> RenderedCampaign:
    context = {
        "subject": subject,
        "body_html": body_html(body),
        "body_text": body.strip(),
        "greeting": GREETING,
        "preferences_url": PREFERENCES_URL,
        "unsubscribe_url": UNSUBSCRIBE_URL,
        "site_url": settings.SITE_URL,
        "sign_off_name": SIGN_OFF_NAME,
        "language": language,
    }
    with translation.override(language):
        html = render_to_string("email/dissemination/newsletter.html", context)
        text = render_to_string("email/dissemination/newsletter.txt", context, using="text")
        greeting_named = _("Hello %(name)s,") % {"name": NAME}
        greeting_plain = _("Hello,")
    return RenderedCampaign(
        subject=" ".join(subject.split()),
        html=html,
        text=text,
        greeting_named=greeting_named,
        greeting_plain=greeting_plain,
        language=language,
    )


def message_id(*, newsletter_id: int, subscriber_id: int) -> str:
    return mail.fixed_message_id("newsletter", newsletter_id, subscriber_id)


def _fill(rendered: RenderedCampaign, *, greeting: str, preferences: str, unsubscribe: str) -> tuple[str, str]:
    html = (
        rendered.html.replace(GREETING, escape(greeting))
        .replace(PREFERENCES_URL, escape(preferences))
        .replace(UNSUBSCRIBE_URL, escape(unsubscribe))
    )
    text = (
        rendered.text.replace(GREETING, greeting)
        .replace(PREFERENCES_URL, preferences)
        .replace(UNSUBSCRIBE_URL, unsubscribe)
    )
    return html, text


def _unsubscribe_mailto(subscriber, token: str | None = None) -> str:
    return f"mailto:{settings.UNSUBSCRIBE_MAILTO}?subject=unsubscribe-{token or unsubscribe_token(subscriber)}"


def _message(*, rendered: RenderedCampaign, to: str, text: str, html: str, headers: dict, connection=None):
    return mail.compose(
        subject=rendered.subject,
        text=text,
        html=html,
        to=to,
        connection=connection,
        headers={
            **headers,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": rendered.language,
        },
    )


def build_message(*, rendered: RenderedCampaign, newsletter_id: int, subscriber, connection=None):
    """One newsletter to one subscriber: only the greeting and the personal links differ."""
    unsubscribe = unsubscribe_url(subscriber)
    html, text = _fill(
        rendered,
        greeting=rendered.greeting(subscriber.first_name),
        preferences=preferences_url(subscriber),
        unsubscribe=unsubscribe,
    )
    headers = {
        "Message-ID": message_id(newsletter_id=newsletter_id, subscriber_id=subscriber.pk),
        "List-Unsubscribe": f"<{unsubscribe}>, <{_unsubscribe_mailto(subscriber)}>",
    }
    return _message(
        rendered=rendered, to=subscriber.email, text=text, html=html, headers=headers, connection=connection
    )


# The fast path: the serialized message once, the personal parts filled in per recipient --------------
#
# Building a MIME message with Django's mail classes and the email package costs about 0.7 ms of CPU
# (header folding, the generator); a campaign of 100,000 spends most of its sender time there. So for
# an SMTP connection the message is serialized once per campaign render and process, by that same slow
# path, with random tokens where the recipient's address, Message-ID, Date, List-Unsubscribe and the
# greeting and links of both bodies go; per recipient the tokens are replaced in the bytes. That is
# only done where plain replacement gives what the slow path would send: both bodies 7bit/8bit (never
# quoted-printable or base64), every token found verbatim as often as it was put in, and per recipient
# a plain ASCII address, an ASCII greeting, no body line growing past 998 bytes (where Django would
# switch to quoted-printable). Anything else (a non-ASCII name, an unusual address) takes the slow path.
# Date and the MIME boundary differ from a slow-path message, as they differ between any two; parsed,
# both give the same headers and bodies (List-Unsubscribe is folded as the slow path folds it).

LINE_LIMIT = 998  # RFC 5322; Django uses quoted-printable for a body with a longer line
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")


@dataclass(frozen=True)
class RawMessage:
    from_email: str
    to: str
    data: bytes
    message_id: str


@dataclass(frozen=True)
class _Template:
    data: bytes
    from_email: str
    tokens: dict  # role -> token
    pattern: re.Pattern
    lines: tuple  # (base length in bytes, roles on the line) of every body line holding a token


def _body_lines(body: str, tokens: dict, roles: tuple) -> list:
    lines = []
    for line in body.splitlines():
        present = [role for role in roles for _ in range(line.count(tokens[role]))]
        if present:
            lines.append((len(line.encode()) - sum(len(tokens[role]) for role in present), tuple(present)))
    return lines


@lru_cache(maxsize=8)
def _template(rendered: RenderedCampaign, from_address: str) -> _Template | None:
    nonce = secrets.token_hex(8)
    roles = ("to", "date", "id", "lu", "greeting_t", "prefs_t", "unsub_t", "greeting_h", "prefs_h", "unsub_h")
    tokens = {role: f"MWTOK{role.replace('_', '')}{nonce}X" for role in roles}
    tokens["to"] = f"{tokens['to']}@mwtok.invalid"
    html = (
        rendered.html.replace(GREETING, tokens["greeting_h"])
        .replace(PREFERENCES_URL, tokens["prefs_h"])
        .replace(UNSUBSCRIBE_URL, tokens["unsub_h"])
    )
    text = (
        rendered.text.replace(GREETING, tokens["greeting_t"])
        .replace(PREFERENCES_URL, tokens["prefs_t"])
        .replace(UNSUBSCRIBE_URL, tokens["unsub_t"])
    )
    headers = {"Date": tokens["date"], "Message-ID": tokens["id"], "List-Unsubscribe": tokens["lu"]}
    message = _message(rendered=rendered, to=tokens["to"], text=text, html=html, headers=headers)
    data = message.message().as_bytes(linesep="\r\n")
    expected = {role: 1 for role in ("to", "date", "id", "lu")}
    for role in ("greeting_t", "prefs_t", "unsub_t"):
        expected[role] = text.count(tokens[role])
    for role in ("greeting_h", "prefs_h", "unsub_h"):
        expected[role] = html.count(tokens[role])
    if any(data.count(tokens[role].encode()) != count for role, count in expected.items()):
        return None  # folded, encoded or split somewhere: the slow path for every recipient
    if re.search(rb"(?im)^content-transfer-encoding:\s*(quoted-printable|base64)", data):
        return None
    lines = _body_lines(text, tokens, ("greeting_t", "prefs_t", "unsub_t"))
    lines += _body_lines(html, tokens, ("greeting_h", "prefs_h", "unsub_h"))
    pattern = re.compile(b"|".join(re.escape(token.encode()) for token in tokens.values()))
    return _Template(
        data=data,
        from_email=sanitize_address(from_address, settings.DEFAULT_CHARSET),
        tokens=tokens,
        pattern=pattern,
        lines=tuple(lines),
    )


def _list_unsubscribe(unsubscribe: str, mailto: str) -> str:
    """The header's value folded as the slow path (compat32, 78 columns) folds it: after the comma, and
    before the first link when that does not fit on the header's line."""
    first = f"<{unsubscribe}>,"
    lead = "\r\n " if len("List-Unsubscribe: ") + len(first) > 78 else ""
    return f"{lead}{first}\r\n <{mailto}>"


def build_raw_message(*, rendered: RenderedCampaign, newsletter_id: int, subscriber) -> RawMessage | None:
    """The message build_message would give, serialized for SMTP, or None where only the slow path is
    sure to give the same (see above)."""
    template = _template(rendered, settings.DEFAULT_FROM_EMAIL)
    email = subscriber.email
    greeting = rendered.greeting(subscriber.first_name)
    if (
        template is None
        or len(email) > 254
        or not PLAIN_ADDRESS.fullmatch(email)
        or not (greeting.isascii() and greeting.isprintable())
        or "==" in greeting  # never anything like the MIME boundary
    ):
        return None
    token = unsubscribe_token(subscriber)  # signed once for the link and the mailto
    unsubscribe = unsubscribe_url(subscriber, token=token)
    preferences = preferences_url(subscriber)
    mailto = _unsubscribe_mailto(subscriber, token=token)
    msgid = message_id(newsletter_id=newsletter_id, subscriber_id=subscriber.pk)
    if not all(value.isascii() and value.isprintable() for value in (unsubscribe, preferences, mailto)):
        return None
    values = {
        "to": email,
        "date": formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
        "id": msgid,
        "lu": _list_unsubscribe(unsubscribe, mailto),
        "greeting_t": greeting,
        "prefs_t": preferences,
        "unsub_t": unsubscribe,
        "greeting_h": escape(greeting),
        "prefs_h": escape(preferences),
        "unsub_h": escape(unsubscribe),
    }
    if any(base + sum(len(values[role]) for role in roles) > LINE_LIMIT for base, roles in template.lines):
        return None
    by_token = {template.tokens[role].encode(): value.encode() for role, value in values.items()}
    data = template.pattern.sub(lambda match: by_token[match.group()], template.data)
    return RawMessage(from_email=template.from_email, to=email, data=data, message_id=msgid)


def build_test_message(*, rendered: RenderedCampaign, to: str, name: str, subscriber=None):
    """The campaign as a staff member's test: subject marked [TEST], greeting with `name`; no
    unsubscribe headers, a fresh Message-ID. The personal links are the tester's own when `subscriber`
    (the tester's own subscription) is given: their real preference and unsubscribe pages. Otherwise the
    tester is no subscriber, and the links lead to a page that says what they do in the real newsletter
    (newsletter:test_link)."""
    if subscriber is not None:
        preferences, unsubscribe = preferences_url(subscriber), unsubscribe_url(subscriber)
    else:
        preferences = settings.SITE_URL + reverse("newsletter:test_link", kwargs={"kind": "voorkeuren"})
        unsubscribe = settings.SITE_URL + reverse("newsletter:test_link", kwargs={"kind": "afmelden"})
    html, text = _fill(rendered, greeting=rendered.greeting(name), preferences=preferences, unsubscribe=unsubscribe)
    return mail.compose(
        subject=f"[TEST] {rendered.subject}",
        text=text,
        html=html,
        to=to,
        headers={"Message-ID": mail.new_message_id(), "Content-Language": rendered.language},
    )
