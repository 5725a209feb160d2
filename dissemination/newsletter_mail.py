"""Newsletter mail: render a campaign once, build one message per recipient cheaply.

`render_campaign(subject=..., body=...)` turns the Markdown body into sanitised HTML (nh3) and renders
the branded templates (templates/email/dissemination/newsletter.html and .txt) once, with
placeholders where the greeting and the personal links go. `build_message` fills those placeholders
per recipient by plain string replacement, so a campaign of 100,000 recipients renders its templates
once per process (the result is cached per subject, body and language), not 100,000 times.

Every newsletter carries a Message-ID derived from campaign and subscriber (a message sent twice after
a crash carries the same one), List-Unsubscribe with an https link and a mailto, and
List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058).
"""

from dataclasses import dataclass
from functools import lru_cache

import markdown
import nh3
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from .tokens import preferences_url, unsubscribe_token, unsubscribe_url

# Stand-ins the templates receive instead of the personal parts; nothing a writer types looks like this.
GREETING = "%%MENTORWIJS-GREETING%%"
PREFERENCES_URL = "%%MENTORWIJS-PREFERENCES-URL%%"
UNSUBSCRIBE_URL = "%%MENTORWIJS-UNSUBSCRIBE-URL%%"
NAME = "%%MENTORWIJS-NAME%%"

MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]


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
    return f"<newsletter-{newsletter_id}-{subscriber_id}@mentorwijs.nl>"


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


def build_message(*, rendered: RenderedCampaign, newsletter_id: int, subscriber, connection=None):
    """One newsletter to one subscriber: only the greeting and the personal links differ."""
    unsubscribe = unsubscribe_url(subscriber)
    html, text = _fill(
        rendered,
        greeting=rendered.greeting(subscriber.name),
        preferences=preferences_url(subscriber),
        unsubscribe=unsubscribe,
    )
    mailto = f"mailto:{settings.UNSUBSCRIBE_MAILTO}?subject=unsubscribe-{unsubscribe_token(subscriber)}"
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=text,
        to=[subscriber.email],
        connection=connection,
        headers={
            "Message-ID": message_id(newsletter_id=newsletter_id, subscriber_id=subscriber.pk),
            "List-Unsubscribe": f"<{unsubscribe}>, <{mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": rendered.language,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def build_test_message(*, rendered: RenderedCampaign, to: str, name: str):
    """The campaign as a staff member's test: subject marked [TEST], links to the site instead of
    personal ones (the staff member is no subscriber), no unsubscribe headers, a fresh Message-ID."""
    html, text = _fill(
        rendered, greeting=rendered.greeting(name), preferences=settings.SITE_URL, unsubscribe=settings.SITE_URL
    )
    message = EmailMultiAlternatives(
        subject=f"[TEST] {rendered.subject}",
        body=text,
        to=[to],
        headers={"Message-ID": make_msgid(domain="mentorwijs.nl"), "Content-Language": rendered.language},
    )
    message.attach_alternative(html, "text/html")
    return message
