"""Dates a person reads go through the named formats of mentorwijs/formats (Dutch month names in lower
case, English ones in English); a literal format in a template or in code fails here, so new pages keep
to the few named ones. Machine formats (ISO for input values, links, CSV, iCal) stay allowed."""

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from django.template import Template, engines
from django.template.context import Context
from django.urls import reverse
from django.utils import formats, translation
from django.utils.timezone import make_aware

from mentorwijs.formats import MACHINE_FORMATS, NAMED_FORMATS
from mentorwijs.formats.en import formats as en_formats
from mentorwijs.formats.nl import formats as nl_formats
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("mentorwijs", "trainings", "ambassadors", "dissemination")
ALLOWED = set(NAMED_FORMATS) | set(MACHINE_FORMATS)

TEMPLATE_FORMAT = re.compile(r"""\|\s*(?:date|time)\s*:\s*(["'])(.*?)\1""")
CODE_FORMAT = re.compile(
    r"""(?:date_format|time_format|dateformat\.format|dateformat\.time_format)\([^,]+,\s*(?:format=)?(["'])(.*?)\1"""
)
# strftime and f-string date formats may only write ISO (file names, keys, machine text).
STRFTIME = re.compile(r"""strftime\(\s*(["'])(.*?)\1|format=(["'])(%.*?)\3|\{[^{}:"']+:(%[^}]*)\}""")
ISO_STRFTIME = {"%Y-%m-%d", "%Y-%m", "%Y%m%d", "%H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M %Z"}


def templates():
    return sorted((ROOT / "templates").rglob("*.*"))


def sources():
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_templates_use_only_named_or_machine_date_formats():
    found = [
        f"{path.relative_to(ROOT)}: {match.group(2)!r}"
        for path in templates()
        for match in TEMPLATE_FORMAT.finditer(path.read_text(errors="ignore"))
        if match.group(2) not in ALLOWED
    ]
    assert found == []


def test_templates_never_use_date_without_a_named_format():
    """A bare |date or |time takes DATE_FORMAT or TIME_FORMAT: allowed, but say which."""
    bare = re.compile(r"\|\s*(?:date|time)\b(?!\s*:)")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in templates()
        for number, line in enumerate(path.read_text(errors="ignore").splitlines(), 1)
        if bare.search(line)
    ]
    assert found == []


def test_code_uses_only_named_date_formats_and_iso():
    found = []
    for path in sources():
        text = path.read_text()
        named = [m.group(2) for m in CODE_FORMAT.finditer(text)]
        found += [f"{path.relative_to(ROOT)}: {f!r}" for f in named if f not in ALLOWED]
        strftime = [next(part for part in m.group(2, 4, 5) if part is not None) for m in STRFTIME.finditer(text)]
        found += [f"{path.relative_to(ROOT)}: {f!r}" for f in strftime if f not in ISO_STRFTIME]
    assert found == []


def test_every_named_format_is_defined_in_both_languages():
    for name in NAMED_FORMATS:
        assert getattr(nl_formats, name), name
        assert getattr(en_formats, name), name


def test_the_grep_finds_a_literal_format():
    """The check above would catch what it is for."""
    assert TEMPLATE_FORMAT.search('{{ day|date:"j M Y" }}').group(2) == "j M Y"
    assert CODE_FORMAT.search('formats.date_format(value, "j-n-Y H:i")').group(2) == "j-n-Y H:i"
    assert STRFTIME.search('day.strftime("%d %b %Y")').group(2) == "%d %b %Y"
    assert STRFTIME.search('f"{day:%d-%m-%Y}"').group(5) == "%d-%m-%Y"


DAYS = [date(2026, 12, 7), date(2027, 1, 12), date(2027, 3, 4), date(2027, 5, 3)]


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("nl", "DATE_FORMAT", ["7 december 2026", "12 januari 2027", "4 maart 2027", "3 mei 2027"]),
        ("nl", "SHORT_DATE_FORMAT", ["7 dec. 2026", "12 jan. 2027", "4 mrt. 2027", "3 mei 2027"]),
        (
            "nl",
            "DAY_FORMAT",
            ["maandag 7 december 2026", "dinsdag 12 januari 2027", "donderdag 4 maart 2027", "maandag 3 mei 2027"],
        ),
        ("nl", "SHORT_YEAR_MONTH_FORMAT", ["dec. '26", "jan. '27", "mrt. '27", "mei '27"]),
        ("en", "DATE_FORMAT", ["7 December 2026", "12 January 2027", "4 March 2027", "3 May 2027"]),
        ("en", "SHORT_DATE_FORMAT", ["7 Dec 2026", "12 Jan 2027", "4 Mar 2027", "3 May 2027"]),
        (
            "en",
            "DAY_FORMAT",
            ["Monday 7 December 2026", "Tuesday 12 January 2027", "Thursday 4 March 2027", "Monday 3 May 2027"],
        ),
    ],
)
def test_named_formats_read_as_each_language_writes(language, name, expected):
    with translation.override(language):
        template = Template(f'{{% autoescape off %}}{{{{ day|date:"{name}" }}}}{{% endautoescape %}}')
        rendered = [template.render(Context({"day": day})) for day in DAYS]
        assert rendered == expected
        assert [formats.date_format(day, name) for day in DAYS] == expected


def test_times_and_moments_in_both_languages():
    moment = make_aware(datetime(2027, 1, 12, 14, 30))
    template = Template(
        '{{ at|date:"SHORT_DATETIME_FORMAT" }} | {{ at|date:"DAY_DATETIME_FORMAT" }} | {{ at|time:"TIME_FORMAT" }}'
    )
    with translation.override("nl"):
        nl = template.render(Context({"at": moment}))
    with translation.override("en"):
        en = template.render(Context({"at": moment}))
    assert nl == "12 jan. 2027, 14:30 | dinsdag 12 januari 2027, 14:30 | 14:30"
    assert en == "12 Jan 2027, 14:30 | Tuesday 12 January 2027, 14:30 | 14:30"


def test_a_text_mail_template_knows_the_named_formats_too():
    text = engines["text"].from_string('{{ day|date:"SHORT_DAY_FORMAT" }}')
    with translation.override("nl"):
        assert text.render({"day": date(2027, 1, 12)}) == "dinsdag 12 januari"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "foreign"),
    [
        ("nl", ["dinsdag 12 januari 2027, 18:00", "12 jan. 2027"], ["January", "Jan ", "Tuesday", "Jan."]),
        ("en", ["Tuesday 12 January 2027, 18:00", "12 Jan 2027"], ["januari", "jan.", "dinsdag"]),
    ],
)
def test_a_page_shows_the_month_names_of_its_language(client, language, expected, foreign):
    from tests.factories import TrainingFactory

    first = make_aware(datetime(2027, 1, 12, 18, 0))
    training = TrainingFactory(meetings=1, meetings__first_meeting=first)
    client.force_login(UserFactory(roles=["staff"], language=language))
    detail = client.get(reverse("trainings:training_detail", args=[training.pk])).content.decode()
    listing = client.get(reverse("trainings:training_list")).content.decode()
    assert expected[0] in detail
    assert expected[1] in listing
    for word in foreign:
        assert word not in detail + listing


@pytest.mark.django_db
def test_a_moved_meeting_mail_shows_the_old_time_in_the_recipients_language(django_capture_on_commit_callbacks):
    """The old time is kept as ISO in the mail row and written out in each recipient's language; a row
    queued before it was ISO shows its text as it was."""
    from tests.factories import EnrolmentFactory, PersonFactory, TrainingFactory
    from trainings.enums import MessageKind
    from trainings.models import ScheduledMessage
    from trainings.services import scheduling
    from trainings.services.messages import _moment, build_email

    training = TrainingFactory(status="open", meetings=1, meetings__first_meeting=make_aware(datetime(2027, 1, 12, 18)))
    EnrolmentFactory(training=training, person=PersonFactory(), language="en")
    EnrolmentFactory(training=training, person=PersonFactory(), language="nl")
    meeting = training.meetings.get()
    meeting.starts_at, meeting.ends_at = make_aware(datetime(2027, 1, 19, 18)), make_aware(datetime(2027, 1, 19, 21))
    with django_capture_on_commit_callbacks():
        scheduling.meetings_update(training=training, meetings=[meeting])
    rows = ScheduledMessage.objects.filter(kind=MessageKind.MEETING_MOVED).select_related("enrolment")
    bodies = {row.enrolment.language: build_email(row).body for row in rows}
    assert "Tuesday 12 January 2027, 18:00–21:00" in bodies["en"]
    assert "dinsdag 12 januari 2027, 18:00–21:00" in bodies["nl"]
    assert _moment("7-12-2026 14:00") == "7-12-2026 14:00"
