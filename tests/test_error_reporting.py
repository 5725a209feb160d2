"""Error reporting: an unhandled error reaches Sentry and the ADMINS mail without a participant's address."""

import json
import logging

import pytest
import sentry_sdk
from django.contrib.auth.decorators import login_not_required
from django.core import mail
from django.test import Client
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from sentry_sdk.transport import Transport

from mentorwijs.error_reporting import REDACTED, TOKEN, init_sentry, parse_admins, scrub_breadcrumb, scrub_event
from tests.factories import EnrolmentFactory

PARTICIPANT = "piet.jansen@voorbeeld.nl"
SECRET = "Zk3pQ9vX_personal-token"


@csrf_exempt
@login_not_required
def failing_view(request):
    """Fails as a real page might: the participant's address in the message and in the posted form."""
    logging.getLogger("mentorwijs.tests").warning("looking up %s", request.POST.get("email"))
    raise ValueError(f"no place left for {request.POST.get('email')}")


@csrf_exempt
@login_not_required
def failing_personal_page(request, token):
    """Fails on a personal link: its token in the path, the message and a log line; a query string too."""
    logging.getLogger("mentorwijs.tests").warning("opening %s", request.get_full_path())
    raise ValueError(f"no enrolment behind {request.build_absolute_uri()}")


urlpatterns = [
    path("kapot/", failing_view),
    path("trainingen/mijn/<str:token>/", failing_personal_page),
]
PERSONAL_PAGE = f"/trainingen/mijn/{SECRET}/?address={PARTICIPANT}&q=Piet+Jansen"


class MemoryTransport(Transport):
    """Keeps the events Sentry would send, as the JSON that would go over the wire."""

    def __init__(self, options=None):
        super().__init__(options)
        self.payloads: list[str] = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.headers.get("type") in ("event", "transaction"):
                self.payloads.append(item.payload.get_bytes().decode())


@pytest.fixture
def sentry_events():
    transport = MemoryTransport()
    init_sentry(dsn="https://key@sentry.invalid/1", environment="test", transport=transport)
    yield transport.payloads
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


@pytest.fixture
def failing_page(settings):
    settings.ROOT_URLCONF = __name__
    settings.ADMINS = [("Beheer", "beheer@werkzaak.example")]
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_unhandled_error_reaches_sentry_without_the_participants_address(sentry_events, failing_page):
    enrolment = EnrolmentFactory(person__email=PARTICIPANT)

    response = failing_page.post("/kapot/", {"email": enrolment.person.email, "first_name": "Piet"})

    assert response.status_code == 500
    sentry_sdk.flush()
    assert len(sentry_events) == 1
    event = json.loads(sentry_events[0])
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["exception"]["values"][-1]["value"] == f"no place left for {REDACTED}"
    assert event["transaction"] == "/kapot/"
    assert "data" not in event.get("request", {})  # no request bodies at all
    assert "user" not in event
    assert any(crumb.get("message", "").startswith("looking up") for crumb in event["breadcrumbs"]["values"])
    assert PARTICIPANT not in sentry_events[0]
    assert "piet.jansen" not in sentry_events[0]


@pytest.mark.django_db
def test_unhandled_error_mails_admins_without_the_participants_address(failing_page):
    response = failing_page.post("/kapot/", {"email": PARTICIPANT})

    assert response.status_code == 500
    assert len(mail.outbox) == 1
    report = mail.outbox[0]
    assert report.to == ["beheer@werkzaak.example"]
    assert "ValueError" in report.body
    assert f"no place left for {REDACTED}" in report.body
    assert PARTICIPANT not in report.subject + report.body
    assert all(PARTICIPANT not in str(alternative) for alternative in getattr(report, "alternatives", []))


@pytest.mark.django_db
def test_without_admins_no_error_report_is_built(failing_page, settings):
    settings.ADMINS = []

    response = failing_page.post("/kapot/", {"email": PARTICIPANT})

    assert response.status_code == 500
    assert mail.outbox == []
    assert [template.name for template in response.templates] == ["500.html"]


def test_scrub_event_reaches_every_part_of_an_event():
    event = {
        "message": "mail to a@b.nl failed",
        "exception": {"values": [{"type": "SMTPRecipientsRefused", "value": "{'x.y+z@mail.example.org': (550,)}"}]},
        "request": {"data": {"email": "c@d.nl"}, "query_string": "email=e%40f.nl&next=/", "headers": {}},
        "breadcrumbs": {"values": [{"message": "sent to g@h.com"}]},
        "extra": {"recipients": ["i@j.nl", ("k@l.nl",)]},
        "user": {"email": "m@n.nl", "ip_address": "192.0.2.1"},
    }

    scrubbed = json.dumps(scrub_event(event))

    for address in ("a@b.nl", "x.y+z@mail.example.org", "c@d.nl", "g@h.com", "i@j.nl", "k@l.nl", "m@n.nl"):
        assert address not in scrubbed
    assert "192.0.2.1" not in scrubbed
    assert scrubbed.count(REDACTED) == 6


@pytest.mark.django_db
def test_an_error_on_a_personal_link_reaches_sentry_without_its_token_or_query(sentry_events, failing_page):
    response = failing_page.get(PERSONAL_PAGE, HTTP_REFERER=f"https://elders.example/nieuwsbrief/afmelden/{SECRET}/")

    assert response.status_code == 500
    sentry_sdk.flush()
    assert len(sentry_events) == 1
    event = json.loads(sentry_events[0])
    # (sentry-sdk 2.76 with DATA_COLLECTION sends no request URL at all; should it, without the token.)
    assert event["request"].get("url", f"http://testserver/trainingen/mijn/{TOKEN}/") == (
        f"http://testserver/trainingen/mijn/{TOKEN}/"
    )
    assert "query_string" not in event["request"]
    assert (
        event["exception"]["values"][-1]["value"] == f"no enrolment behind http://testserver/trainingen/mijn/{TOKEN}/"
    )
    assert event["transaction"] == "/trainingen/mijn/{token}/"  # the route: nothing of the request
    messages = [crumb.get("message", "") for crumb in event["breadcrumbs"]["values"]]
    assert f"opening /trainingen/mijn/{TOKEN}/" in messages
    for leak in (SECRET, "Piet", "Jansen", "address=", "piet.jansen"):
        assert leak not in sentry_events[0]


@pytest.mark.django_db
def test_an_error_on_a_personal_link_mails_admins_without_its_token_or_query(failing_page):
    response = failing_page.get(PERSONAL_PAGE, HTTP_REFERER=f"https://elders.example/nieuwsbrief/afmelden/{SECRET}/")

    assert response.status_code == 500
    assert len(mail.outbox) == 1
    report = mail.outbox[0]
    assert report.subject.endswith(f"/trainingen/mijn/{TOKEN}/")
    assert f"Request URL: http://testserver/trainingen/mijn/{TOKEN}/\n" in report.body
    assert f"no enrolment behind http://testserver/trainingen/mijn/{TOKEN}/" in report.body
    assert f"HTTP_REFERER = 'https://elders.example/nieuwsbrief/afmelden/{TOKEN}/'" in report.body
    assert "\nq = '********************'" in report.body  # the GET parameters by name only
    for leak in (SECRET, "Piet", "Jansen", "address=", "piet.jansen"):
        assert leak not in report.subject + report.body


@pytest.mark.parametrize(
    ("url", "scrubbed"),
    [
        (f"/trainingen/mijn/{SECRET}/", f"/trainingen/mijn/{TOKEN}/"),
        (f"/trainingen/mijn/{SECRET}/evaluatie/start/", f"/trainingen/mijn/{TOKEN}/evaluatie/start/"),
        (f"/trainingen/mijn/{SECRET}/certificaat.pdf", f"/trainingen/mijn/{TOKEN}/certificaat.pdf"),
        (f"/trainingen/aanmelden/{SECRET}/ingeschreven/", f"/trainingen/aanmelden/{TOKEN}/ingeschreven/"),
        (f"/trainingen/agenda/deelnemer/{SECRET}.ics", f"/trainingen/agenda/deelnemer/{TOKEN}.ics"),
        (f"/trainingen/agenda/trainer/{SECRET}.ics", f"/trainingen/agenda/trainer/{TOKEN}.ics"),
        (f"/nieuwsbrief/bevestigen/{SECRET}/", f"/nieuwsbrief/bevestigen/{TOKEN}/"),
        (f"/nieuwsbrief/voorkeuren/{SECRET}/", f"/nieuwsbrief/voorkeuren/{TOKEN}/"),
        (f"/nieuwsbrief/afmelden/{SECRET}/", f"/nieuwsbrief/afmelden/{TOKEN}/"),
        (f"/team/uitnodiging/{SECRET}:1xably:eK2g/", f"/team/uitnodiging/{TOKEN}/"),
        (f"/accounts/confirm-email/{SECRET}/", f"/accounts/confirm-email/{TOKEN}/"),
        (f"/accounts/password/reset/key/1b-{SECRET}/", f"/accounts/password/reset/key/{TOKEN}/"),
        (f"https://mentorwijs.nl/trainingen/mijn/{SECRET}/?a=1#x", f"https://mentorwijs.nl/trainingen/mijn/{TOKEN}/#x"),
        ("/relaties/personen/?q=Piet+Jansen&address=piet%40voorbeeld.nl", "/relaties/personen/"),
        ("/trainingen/mijn/{token}/", "/trainingen/mijn/{token}/"),  # a route (Sentry's transaction) stays
        ("/trainingen/mijn/<str:token>/", "/trainingen/mijn/<str:token>/"),  # and so does Django's pattern
        ("/trainingen/aanbod/3/inschrijven/", "/trainingen/aanbod/3/inschrijven/"),
    ],
)
def test_scrub_event_replaces_personal_tokens_and_drops_query_strings(url, scrubbed):
    event = {
        "transaction": url,
        "request": {"url": url, "query_string": "q=Piet", "headers": {"User-Agent": "test"}},
        "exception": {"values": [{"type": "Http404", "value": f"Not Found: {url} (GET)"}]},
        "breadcrumbs": {
            "values": [
                {"category": "django.request", "message": f"Not Found: {url}"},
                {"category": "httplib", "data": {"url": url, "http.query": "q=Piet", "http.fragment": "x"}},
            ]
        },
    }

    result = scrub_event(event)

    assert result["transaction"] == scrubbed
    assert result["request"] == {"url": scrubbed, "headers": {"User-Agent": "test"}}
    assert result["exception"]["values"][0]["value"] == f"Not Found: {scrubbed} (GET)"
    assert result["breadcrumbs"]["values"][0]["message"] == f"Not Found: {scrubbed}"
    assert result["breadcrumbs"]["values"][1]["data"] == {"url": scrubbed}
    assert SECRET not in json.dumps(result)
    assert "Piet" not in json.dumps(result)


def test_breadcrumbs_are_scrubbed_as_they_are_kept_and_source_lines_are_left_alone():
    crumb = {"category": "httplib", "data": {"url": f"https://api.example/nieuwsbrief/afmelden/{SECRET}/?x=1"}}
    assert scrub_breadcrumb(crumb) == {
        "category": "httplib",
        "data": {"url": f"https://api.example/nieuwsbrief/afmelden/{TOKEN}/"},
    }
    frame = {"context_line": '    return redirect(f"/accounts/login/?next={url}")', "filename": "views.py"}
    event = {"exception": {"values": [{"stacktrace": {"frames": [frame]}}]}}
    assert scrub_event(event)["exception"]["values"][0]["stacktrace"]["frames"][0] == frame


def test_admins_come_from_one_environment_variable():
    assert parse_admins("Ans de Vries <ans@werkzaak.nl>, ops@werkzaak.nl") == [
        ("Ans de Vries", "ans@werkzaak.nl"),
        ("", "ops@werkzaak.nl"),
    ]
    assert parse_admins("") == []
