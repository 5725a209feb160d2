"""What each user's lists, searches, autocompletes, exports and detail pages contain (issue 14): the
companion of the permission matrix, which checks only the answers' status.

One data set of marked people (each with a surname and an address found nowhere else): the people
ambassador A added and A's contact person, the same for B and for the user who is ambassador and
trainer at once, a person staff added, a participant of the trainer's run and one of another run,
an event guest, a subscriber with a person and one without. Every page below is asked by every
user of the matrix; a marked person may appear only where the page is about them AND the user may
see them (docs/security.md, "Who sees which people"), and on a page that answers 200 they must.
"""

from dataclasses import dataclass, field
from io import BytesIO
from urllib.parse import quote, quote_plus

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dissemination.models import Event, EventGuest
from mentorwijs.exports import XLSX_CONTENT_TYPE
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    OrganisationFactory,
    OutreachContactFactory,
    PersonFactory,
    SubscriberFactory,
    TrainingFactory,
    UserFactory,
)

from .matrix import USERS

pytestmark = pytest.mark.django_db

PEOPLE = (
    "a_added",
    "a_contact",
    "b_added",
    "b_contact",
    "dual_contact",
    "staff_added",
    "participant",
    "other_participant",
    "guest",
    "subscriber_person",
)
MARKERS = (*PEOPLE, "newsletter_only")  # the last is a subscriber without a person
CONTACT_PERSONS = {"a_contact", "b_contact", "dual_contact"}
OWN_CONTACT = {"ambassador_a": {"a_contact"}, "ambassador_b": {"b_contact"}, "ambassador_trainer": {"dual_contact"}}

# Whom each user may see (the table in docs/security.md): in the directory (people, contacts,
# events, subscribers, privacy) and in the trainings pages (a run's participants).
EVERYONE = set(MARKERS)
DIRECTORY = {
    "anonymous": set(),
    "ambassador_a": {"a_added", "a_contact"},
    "ambassador_b": {"b_added", "b_contact"},
    "trainer": set(),
    "master_trainer": set(),
    "staff": EVERYONE,
    "ambassador_trainer": {"dual_contact"},
    "deactivated": set(),
    "no_two_factor": set(),
    "superuser": EVERYONE,
}
RUNS = {user: set() for user in DIRECTORY} | {
    "trainer": {"participant"},
    "ambassador_trainer": {"participant"},
    "staff": EVERYONE,
    "superuser": EVERYONE,
}


def surname(key: str) -> str:
    return "Merk" + key.replace("_", "").capitalize()


def local_part(key: str) -> str:
    return "merk." + key.replace("_", "")


def address(key: str) -> str:
    return f"{local_part(key)}@example.org"


@dataclass
class Page:
    """One request, and the marked people it is about (a set, or per user a function)."""

    label: str
    url: callable  # data -> url
    about: object = frozenset()  # set of markers, or user -> set
    method: str = "get"
    data: callable = None  # data -> POST fields
    visible: dict = field(default_factory=lambda: DIRECTORY)  # DIRECTORY or RUNS
    also: dict = field(default_factory=dict)  # user -> markers this page may show them beyond that
    typed: str = ""  # what the user typed (a search, an address): the page may echo it

    def expected(self, user: str) -> set[str]:
        about = self.about(user) if callable(self.about) else set(self.about)
        return about & (self.visible[user] | self.also.get(user, set()))


def build() -> tuple[dict, dict]:
    users = {
        "ambassador_a": UserFactory(roles=["ambassador"]),
        "ambassador_b": UserFactory(roles=["ambassador"]),
        "trainer": UserFactory(roles=["trainer"]),
        "master_trainer": UserFactory(roles=["master_trainer"], two_factor=True),
        "staff": UserFactory(roles=["staff"], two_factor=True),
        "ambassador_trainer": UserFactory(roles=["ambassador", "trainer"]),
        "deactivated": UserFactory(roles=["staff"], two_factor=True, is_active=False),
        "no_two_factor": UserFactory(roles=["ambassador", "trainer"], two_factor=False),
        "superuser": UserFactory(is_superuser=True, two_factor=True),
    }
    organisation = OrganisationFactory(name="Merkorganisatie")
    people = {
        key: PersonFactory(first_name="Mark", last_name=surname(key), email=address(key), organisation=organisation)
        for key in PEOPLE
    }
    for key, user in (("a_added", "ambassador_a"), ("b_added", "ambassador_b"), ("staff_added", "staff")):
        people[key].added_by = users[user]
        people[key].save()
    today = timezone.localdate()
    contacts = {
        user: OutreachContactFactory(
            logged_by=users[user], organisation=organisation, person=people[key], follow_up_on=today
        )
        for user, (key,) in OWN_CONTACT.items()
    }
    run, other_run = TrainingFactory(meetings=5), TrainingFactory(meetings=5)
    AssignmentFactory(training=run, trainer=users["trainer"], role="lead")
    AssignmentFactory(training=run, trainer=users["ambassador_trainer"], role="co_trainer")
    AssignmentFactory(training=other_run, trainer=UserFactory(roles=["trainer"]), role="lead")
    EnrolmentFactory(training=run, person=people["participant"])
    EnrolmentFactory(training=other_run, person=people["other_participant"])
    event = Event.objects.create(kind="conference", title="Merkcongres", date=today)
    EventGuest.objects.create(event=event, person=people["guest"])
    SubscriberFactory(person=people["subscriber_person"], email=address("subscriber_person"))
    SubscriberFactory(name=f"Mark {surname('newsletter_only')}", email=address("newsletter_only"))
    data = {
        "organisation": organisation,
        "people": people,
        "contact_a": contacts["ambassador_a"],
        "run": run,
        "other_run": other_run,
        "meeting": run.meetings.get(number=2),
        "event": event,
    }
    return users, data


def _url(name, **kwargs):
    return lambda data: reverse(name, kwargs={key: getattr(data[value], "pk", None) for key, value in kwargs.items()})


def _with_query(name, query, **kwargs):
    return lambda data: _url(name, **kwargs)(data) + "?" + query(data)


# Typed in small letters: the page's echo of the search differs from the name it finds.
typed_name = f"mark {surname('other_participant').lower()}"

PAGES = [
    # The directory: lists, searches (by each marked address), detail pages, forms' choices.
    Page("person list", _url("dissemination:person_list"), about=set(PEOPLE)),
    *(
        Page(
            f"person search for {key}",
            _with_query("dissemination:person_list", lambda d, k=key: f"q={local_part(k)}"),
            about={key},
            typed=local_part(key),
        )
        for key in PEOPLE
    ),
    *(
        Page(
            f"person page of {key}",
            lambda d, k=key: reverse("dissemination:person_update", args=[d["people"][k].pk]),
            {key},
        )
        for key in PEOPLE
    ),
    Page("organisation page", _url("dissemination:organisation_detail", pk="organisation"), about=set(PEOPLE)),
    Page("organisation search", lambda d: reverse("dissemination:organisation_search") + "?q=Merk"),
    Page("who had contact", _url("dissemination:organisation_outreach", pk="organisation")),
    Page("organisation export", lambda d: reverse("dissemination:organisation_export") + "?format=csv"),
    # The outreach log: the contact's person choices, the lists of contacts and follow-ups, home.
    Page("A's contact", _url("dissemination:contact_detail", pk="contact_a"), about=set(PEOPLE)),
    Page("contact log form", lambda d: reverse("dissemination:contact_log") + f"?organisation={d['organisation'].pk}"),
    *(
        Page(
            f"contact log form with {key}",
            lambda d, k=key: (
                reverse("dissemination:contact_log")
                + f"?organisation={d['organisation'].pk}&person={d['people'][k].pk}"
            ),
        )
        for key in ("a_added", "b_added", "participant")
    ),
    Page("contact list", _url("dissemination:contact_list"), about=CONTACT_PERSONS),
    Page("follow-ups", _url("dissemination:follow_up_list"), about=lambda user: OWN_CONTACT.get(user, set())),
    Page("home", _url("overview:home"), about=lambda user: OWN_CONTACT.get(user, set())),
    # Events: the guest list is for staff.
    Page("event list", _url("dissemination:event_list")),
    Page("event page", _url("dissemination:event_detail", pk="event"), about={"guest"}),
    Page("event guests", _with_query("dissemination:event_guests", lambda d: "q=Merk", pk="event"), set(PEOPLE)),
    # Newsletters: subscribers are for staff.
    Page("subscribers", _url("dissemination:subscriber_list"), about={"newsletter_only", "subscriber_person"}),
    Page(
        "subscriber search",
        _with_query("dissemination:subscriber_list", lambda d: f"q={local_part('newsletter_only')}"),
        about={"newsletter_only"},
        typed=local_part("newsletter_only"),
    ),
    # Trainings: a run's participants for staff and whoever gives it; a catch-up by full name only.
    Page("runs", _url("trainings:training_list")),
    Page("calendar", _url("trainings:calendar")),
    Page("the trainer's run", _url("trainings:training_detail", pk="run"), {"participant"}, visible=RUNS),
    Page("another run", _url("trainings:training_detail", pk="other_run"), {"other_participant"}, visible=RUNS),
    Page("attendance", _url("trainings:meeting_attendance", pk="meeting"), {"participant"}, visible=RUNS),
    Page("participant export", _url("trainings:participant_export", pk="run"), {"participant"}, visible=RUNS),
    Page(
        "another run's participant export",
        _url("trainings:participant_export", pk="other_run"),
        {"other_participant"},
        visible=RUNS,
    ),
    Page("catch-up list", _url("trainings:catch_up", pk="meeting"), {"other_participant"}, visible=RUNS),
    Page(
        "catch-up by full name",
        _with_query("trainings:catch_up", lambda d: f"q={quote_plus(typed_name)}", pk="meeting"),
        about={"other_participant"},
        visible=RUNS,
        # Someone of another run, by their full name (they stand in front of the trainer).
        also={"trainer": {"other_participant"}, "ambassador_trainer": {"other_participant"}},
        typed=typed_name,
    ),
    Page("evaluations", _url("trainings:evaluation_overview")),
    Page("evaluation export", _url("trainings:evaluation_export")),
    Page("evaluation export (Excel)", _url("trainings:evaluation_export_xlsx")),
    # The plan's progress: numbers only.
    Page("dashboard", _url("overview:dashboard")),
    *(
        Page(f"dashboard export {table}", lambda d, t=table: reverse("overview:dashboard_export") + f"?table={t}")
        for table in ("funnel", "funnel_regions", "reached", "channels", "enrolments", "heard_of", "goals")
    ),
    *(
        Page(
            f"dashboard export {table} (Excel)",
            lambda d, t=table: reverse("overview:dashboard_export") + f"?table={t}&format=xlsx",
        )
        for table in ("funnel", "funnel_regions", "reached", "channels", "enrolments", "heard_of", "goals")
    ),
    # Privacy and the audit trail: staff.
    Page(
        "a person's data",
        lambda d: reverse("privacy:person_data", args=[d["people"]["participant"].pk]),
        {"participant"},
    ),
    Page(
        "a person's data as JSON",
        lambda d: reverse("privacy:person_data_json", args=[d["people"]["participant"].pk]),
        about={"participant"},
    ),
    Page("audit trail", _url("privacy:audit"), about=set(MARKERS)),
    # The duplicate guard names the other person only to someone who may see them.
    *(
        Page(
            f"duplicate guard on {key}",
            _url("dissemination:person_create"),
            about={key},
            method="post",
            data=lambda d, k=key: {"first_name": "Nieuw", "last_name": "Iemand", "email": address(k)},
            typed=address(key),
        )
        for key in PEOPLE
    ),
    # The log form never takes someone the ambassador may not see, nor shows who has the address.
    *(
        Page(
            f"logging a contact with the address of {key}",
            _url("dissemination:contact_log"),
            method="post",
            data=lambda d, k=key: {
                "organisation_name": "Merkorganisatie",
                "organisation": d["organisation"].pk,
                "date": timezone.localdate().isoformat(),
                "channel": "phone",
                "stage": "informed",
                "person_first_name": "Nieuw",
                "person_last_name": "Iemand",
                "person_email": address(k),
            },
            typed=address(key),
        )
        for key in PEOPLE
    ),
]


def _shown(content: str, typed: str) -> set[str]:
    """The marked people a page shows, leaving out what the user typed (the search box, the form's
    field, the page's own address in the language switch) wherever the page echoes it."""
    if typed:
        content = content.replace(typed, "").replace(quote_plus(typed), "").replace(quote(typed), "")
    return {key for key in MARKERS if surname(key) in content or address(key) in content}


def _text(response) -> str:
    """A response's text; an Excel download's cells (its bytes are compressed)."""
    content = b"".join(response) if response.streaming else response.content
    if response.get("Content-Type") == XLSX_CONTENT_TYPE:
        workbook = load_workbook(BytesIO(content), read_only=True)
        return "\n".join(str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row)
    return content.decode("utf-8", "replace")


def test_every_page_shows_each_user_only_the_people_they_may_see(quiet_request_log):
    users, data = build()
    clients = {"anonymous": Client(raise_request_exception=False)}
    for name, user in users.items():
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
    assert set(clients) == set(USERS)

    wrong = []
    for page in PAGES:
        url = page.url(data)
        for user in USERS:
            cache.clear()
            send = clients[user].post if page.method == "post" else clients[user].get
            with transaction.atomic():
                response = send(url, page.data(data) if page.data else None)
                transaction.set_rollback(True)
            shown = _shown(_text(response), page.typed)
            expected = page.expected(user)
            leaked = shown - expected
            missing = expected - shown if response.status_code == 200 else set()
            if response.status_code >= 500:
                wrong.append(f"{page.label} as {user}: {response.status_code}")
            elif leaked or missing:
                wrong.append(
                    f"{page.label} as {user} ({response.status_code}): "
                    + (f"shows {sorted(leaked)} " if leaked else "")
                    + (f"lacks {sorted(missing)}" if missing else "")
                )
    assert not wrong, f"{len(wrong)} pages show the wrong people:\n" + "\n".join(wrong)


def test_the_marks_are_unique():
    """A surname must not be part of another (MerkAadded in MerkAaddedx) nor of the fixed words."""
    names = [surname(key) for key in MARKERS]
    assert not [(a, b) for a in names for b in names if a != b and a in b]
