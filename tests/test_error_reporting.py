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

from mentorwijs.error_reporting import REDACTED, init_sentry, parse_admins, scrub_event
from tests.factories import EnrolmentFactory

PARTICIPANT = "piet.jansen@voorbeeld.nl"


@csrf_exempt
@login_not_required
def failing_view(request):
    """Fails as a real page might: the participant's address in the message and in the posted form."""
    logging.getLogger("mentorwijs.tests").warning("looking up %s", request.POST.get("email"))
    raise ValueError(f"no place left for {request.POST.get('email')}")


urlpatterns = [path("kapot/", failing_view)]


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


def test_admins_come_from_one_environment_variable():
    assert parse_admins("Ans de Vries <ans@werkzaak.nl>, ops@werkzaak.nl") == [
        ("Ans de Vries", "ans@werkzaak.nl"),
        ("", "ops@werkzaak.nl"),
    ]
    assert parse_admins("") == []
