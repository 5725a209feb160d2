"""One place that builds every outgoing message: subject, text and HTML from templates, in the
recipient's language. Templates live in templates/email/<name>_subject.txt, <name>.txt and
<name>.html (the HTML part is optional). `compose` is the one shape of every message (also of the
newsletters, which render their parts themselves, once per campaign): a text body with an optional HTML
alternative, the subject on one line, Content-Language and a Message-ID on our domain (`fixed_message_id`
for a message that must carry the same one each time it goes out). `mail_html_response` shows a mail's
HTML part on a page of its own, for a sandboxed iframe (caught mail, newsletter previews)."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.http import HttpResponse
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

# The HTML part of a mail as its recipient would see it: mail carries inline styles, so this one
# response allows them, and nothing else (no scripts, no forms, no remote images), sandboxed and
# framable only by our own pages. It replaces the site-wide policy set by CSPMiddleware (which
# leaves a response that has the header alone), and so does X-Frame-Options.
MAIL_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox"
)


# The domain of every Message-ID we make.
MESSAGE_ID_DOMAIN = "mentorwijs.nl"


def fixed_message_id(*parts) -> str:
    """A Message-ID made of what the message is (an outbox row, a campaign and a subscriber), so the
    same message carries the same one when a crash makes it go out twice."""
    return f"<{'-'.join(str(part) for part in parts)}@{MESSAGE_ID_DOMAIN}>"


def new_message_id() -> str:
    """A Message-ID of its own, for a message that is sent once (a test, a mail sent at once)."""
    return make_msgid(domain=MESSAGE_ID_DOMAIN)


def compose(*, subject: str, text: str, html: str | None, to: str, headers: dict, connection=None):
    """The message itself: `text` with `html` as its alternative (when there is one), the subject on
    one line. `headers` in the order they are to appear; Content-Language is the caller's, a fresh
    Message-ID is added when they hold none."""
    if "Message-ID" not in headers:
        headers = {**headers, "Message-ID": new_message_id()}
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, to=[to], connection=connection, headers=headers
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def build_message(*, template: str, to: str, context: dict, language: str | None = None):
    language = language or settings.LANGUAGE_CODE
    context = {"site_url": settings.SITE_URL, "language": language, **context}
    with translation.override(language):
        subject = render_to_string(f"email/{template}_subject.txt", context, using="text")
        body = render_to_string(f"email/{template}.txt", context, using="text")
        try:
            html = render_to_string(f"email/{template}.html", context)
        except TemplateDoesNotExist:
            html = None
    return compose(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        text=body,
        html=html,
        to=to,
        headers={"Content-Language": language},
    )


def send(*, template: str, to: str, context: dict, language: str | None = None) -> str:
    """Send one message now and return its Message-ID."""
    message = build_message(template=template, to=to, context=context, language=language)
    message.send()
    return message.extra_headers["Message-ID"]


def is_temporary(error: Exception) -> bool:
    """Whether sending again later may succeed: an SMTP 4xx reply (also when every recipient was
    refused with one), a dropped or refused connection, DNS and socket errors, timeouts. A 5xx reply
    and anything else (a broken template, a server without the configured TLS or AUTH) is permanent."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return not 500 <= error.smtp_code < 600  # 4xx; also a connection that broke off mid-reply (-1)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, OSError)  # socket.gaierror, ConnectionError, TimeoutError


def mail_html_response(html: str) -> HttpResponse:
    """A mail's HTML part as a page for an <iframe sandbox src="..."> of our own pages: a srcdoc
    document would inherit the page's policy, which refuses the mail's inline styles."""
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = MAIL_HTML_POLICY
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Cache-Control"] = "private, no-store"
    return response
