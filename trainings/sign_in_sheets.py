"""The sign-in sheet of a meeting as a PDF (WeasyPrint, as the certificate): the run, the meeting's
date, time and place, and a row to sign for each participant plus a few empty ones for walk-ins.
Rendered on request in the language of the one asking; nothing is stored."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from .certificates import mark_data_uri
from .models import Meeting
from .queries.enrolment import active_participants

TEMPLATE = "trainings/sign_in_sheet_pdf.html"
STYLESHEET = "css/sign-in-sheet.css"
# Empty rows under the participants, for someone who comes without having enrolled.
WALK_IN_ROWS = 5


def sign_in_sheet_context(meeting: Meeting) -> dict:
    """`meeting` with its training and location loaded."""
    return {
        "meeting": meeting,
        "training": meeting.training,
        "participants": list(active_participants(training_id=meeting.training_id)),
        "walk_in_rows": range(WALK_IN_ROWS),
        "mark": mark_data_uri(),
    }


def sign_in_sheet_html(meeting: Meeting) -> str:
    """The HTML WeasyPrint turns into the PDF."""
    return render_to_string(TEMPLATE, sign_in_sheet_context(meeting))


def sign_in_sheet_pdf(meeting: Meeting) -> bytes:
    from weasyprint import CSS, HTML  # heavy import: only when a PDF is asked for

    # The styles from a file, not inline: the templates hold no inline styles (tests/security/test_csp.py).
    stylesheet = CSS(filename=finders.find(STYLESHEET))
    return HTML(string=sign_in_sheet_html(meeting), base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[stylesheet])


def sign_in_sheet_disposition(meeting: Meeting) -> str:
    """Inline, so that the browser shows it ready to print, with a name that says which meeting."""
    run = slugify(meeting.training.title) or "training"
    return content_disposition_header(
        as_attachment=False, filename=f"presentielijst-{run}-bijeenkomst-{meeting.number}.pdf"
    )
