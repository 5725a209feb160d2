"""One place that builds every outgoing message: subject, text and HTML from templates, in the
recipient's language. Templates live in templates/email/<name>_subject.txt, <name>.txt and
<name>.html (the HTML part is optional)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


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
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body=body,
        to=[to],
        headers={"Content-Language": language, "Message-ID": make_msgid(domain="mentorwijs.nl")},
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def send(*, template: str, to: str, context: dict, language: str | None = None) -> str:
    """Send one message now and return its Message-ID."""
    message = build_message(template=template, to=to, context=context, language=language)
    message.send()
    return message.extra_headers["Message-ID"]
