"""The database goes away mid-request, on PostgreSQL: the request's own server process is terminated
(pg_terminate_backend, as a crash or a failover would) after the service's first writes. The visitor
gets the plain error page and the transaction's rows are gone. /healthz answers 503 while the
server cannot be reached."""

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from dissemination.models import Organisation, Person, Region
from tests.factories import TrainingFactory
from tests.services import smtp
from tests.services.conftest import _database_url
from trainings.models import Enrolment, ScheduledMessage


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


def test_a_public_enrolment_whose_server_process_dies_mid_transaction_leaves_nothing(
    transactional_db, visitor, monkeypatch, worker_mail
):
    import trainings.services.enrolment as enrolment_services

    Region.objects.get_or_create(name="Rivierenland")
    training = TrainingFactory(meetings=5)
    organisations = Organisation.objects.count()
    original = enrolment_services.reminders_schedule_for_enrolment
    killed = []

    def terminate_own_server_process(**kwargs):
        pid = connection.connection.info.backend_pid
        with psycopg.connect(_database_url(connection.settings_dict), autocommit=True) as other:
            killed.append(other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0])
        return original(**kwargs)  # its next query meets the dead connection

    monkeypatch.setattr(enrolment_services, "reminders_schedule_for_enrolment", terminate_own_server_process)

    response = visitor.post(
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

    assert killed == [True]
    assert response.status_code == 500
    assert [template.name for template in response.templates] == ["500.html"]
    assert "terminating connection" not in response.content.decode()
    # A new connection sees no trace of the transaction.
    assert not Enrolment.objects.exists()
    assert not Person.objects.exists()
    assert Organisation.objects.count() == organisations
    assert not ScheduledMessage.objects.exists()
    assert worker_mail.received() == []


def test_healthz_answers_503_while_postgresql_cannot_be_reached(transactional_db, visitor, monkeypatch):
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "PORT", str(smtp.free_port()))  # nothing listens there
    try:
        response = visitor.get("/healthz")
    finally:
        connection.close()
        monkeypatch.undo()

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "broker": "ok"}
