"""The database goes away mid-request: the visitor gets the plain error page (templates/500.html,
which needs neither the database nor a request context) and nothing half-written stays behind,
because every service writes inside one transaction. /healthz answers 503 without a database.

The connection break is simulated by raising django.db.OperationalError (what the database driver
raises for a lost server) after the service's first writes; tests/services/test_database_gone.py
does the same on PostgreSQL by terminating the request's own server process."""

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from dissemination.models import MailingList, Organisation, Person, Region, Subscriber
from tests.factories import MailingListFactory, TrainingFactory
from trainings.models import Enrolment, ScheduledMessage

pytestmark = pytest.mark.django_db(transaction=True)  # real commits and rollbacks, as in production

LOST = "server closed the connection unexpectedly"


@pytest.fixture
def visitor():
    """A client that gets the error page instead of the exception, as a visitor would."""
    return Client(raise_request_exception=False)


@pytest.fixture
def training():
    Region.objects.get_or_create(name="Rivierenland")  # transaction=True empties the data migration's rows
    return TrainingFactory(meetings=5)


def enrol(visitor, training):
    return visitor.post(
        reverse("trainings:public_enrol", kwargs={"pk": training.pk}),
        {
            "first_name": "Anna",
            "last_name": "de Vries",
            "email": "anna@example.org",
            "organisation_name": "Bakkerij Linge",
            "organisation_city": "Tiel",
            "organisation_target_group": "employers",
            "consent": "on",
        },
    )


def assert_error_page(response):
    assert response.status_code == 500
    assert [template.name for template in response.templates] == ["500.html"]
    content = response.content.decode()
    assert LOST not in content
    assert "Traceback" not in content


def test_a_public_enrolment_whose_database_goes_away_leaves_nothing_and_answers_the_error_page(
    visitor, training, monkeypatch, mailoutbox
):
    import trainings.services.enrolment as enrolment_services

    organisations = Organisation.objects.count()

    def connection_lost(**kwargs):
        # By now the service has written the organisation, the person, the enrolment and its mail row.
        assert Enrolment.objects.filter(person__email="anna@example.org").exists()
        assert ScheduledMessage.objects.exists()
        raise OperationalError(LOST)

    monkeypatch.setattr(enrolment_services, "reminders_schedule_for_enrolment", connection_lost)

    response = enrol(visitor, training)

    assert_error_page(response)
    assert not Enrolment.objects.exists()
    assert not Person.objects.exists()
    assert Organisation.objects.count() == organisations
    assert not ScheduledMessage.objects.exists()
    assert mailoutbox == []  # the mail queued on commit never left: there was no commit
    monkeypatch.undo()
    assert enrol(visitor, training).status_code == 302  # and the same form works once the database is back
    assert Enrolment.objects.get().person.email == "anna@example.org"


def test_a_sign_up_whose_database_goes_away_leaves_nothing_and_answers_the_error_page(visitor, monkeypatch, mailoutbox):
    import dissemination.services.subscriptions as subscription_services

    newsletter = MailingListFactory(name="Werkgevers")

    def connection_lost(*args, **kwargs):
        # By now the subscriber, its lists and its confirmation request are written.
        assert Subscriber.objects.filter(lists=newsletter, confirmation_request__isnull=False).exists()
        raise OperationalError(LOST)

    monkeypatch.setattr(subscription_services, "_on_commit_confirmation", connection_lost)

    response = visitor.post(
        reverse("newsletter:signup"), {"email": "bert@example.org", "first_name": "Bert", "lists": [newsletter.pk]}
    )

    assert_error_page(response)
    assert not Subscriber.objects.exists()
    assert not MailingList.objects.get().subscribers.exists()
    assert mailoutbox == []


@pytest.fixture
def database_unreachable(monkeypatch):
    """Every query fails, as when the server is down (the test database lives in memory, so the
    connection itself cannot be closed: its cursors refuse instead)."""

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "create_cursor", refuse)
    yield
    monkeypatch.undo()


def test_the_error_page_renders_without_a_database(visitor, database_unreachable):
    response = visitor.get(reverse("trainings:public_list"))

    assert_error_page(response)


def test_healthz_answers_503_without_a_database(visitor, database_unreachable):
    response = visitor.get("/healthz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "error"
