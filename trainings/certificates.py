"""The certificate of participation as a PDF (WeasyPrint), rendered on request from the stored rows,
in the participant's language."""

import base64
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from .enums import MeetingStatus
from .models import Certificate

TEMPLATE = "trainings/certificate_pdf.html"


@cache
def mark_data_uri() -> str:
    """The Mentorwijs mark (the favicon) inline, so rendering needs no web server (also on sign-in sheets)."""
    path = finders.find("img/favicon.svg")
    if not path:
        return ""
    with open(path, "rb") as file:
        return "data:image/svg+xml;base64," + base64.b64encode(file.read()).decode()


def verify_url(certificate: Certificate) -> str:
    return f"{settings.SITE_URL}{reverse('trainings:verify')}?code={certificate.code}"


def certificate_context(certificate: Certificate) -> dict:
    enrolment = certificate.enrolment
    training = enrolment.training
    meetings = list(
        training.meetings.exclude(status=MeetingStatus.CANCELLED).select_related("location").order_by("number")
    )
    return {
        "certificate": certificate,
        "enrolment": enrolment,
        "person": enrolment.person,
        "training": training,
        "meetings": meetings,
        "completed_on": enrolment.completed_at or certificate.issued_at,
        "verify_url": verify_url(certificate),
        "mark": mark_data_uri(),
        "language": enrolment.language,
    }


def certificate_html(certificate: Certificate) -> str:
    """The HTML WeasyPrint turns into the PDF (also what tests read the text from)."""
    with translation.override(certificate.enrolment.language):
        return render_to_string(TEMPLATE, certificate_context(certificate))


def certificate_pdf(certificate: Certificate) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    return HTML(string=certificate_html(certificate), base_url=str(settings.BASE_DIR)).write_pdf()


def certificate_filename(certificate: Certificate) -> str:
    person = certificate.enrolment.person
    name = slugify(f"{person.first_name} {person.last_name}") or "deelnemer"
    return f"mentorwijs-certificaat-{name}.pdf"


def certificate_disposition(certificate: Certificate) -> str:
    return content_disposition_header(as_attachment=True, filename=certificate_filename(certificate))
