"""bin/backup and bin/restore on the real PostgreSQL: a dump of the test database, restored into a
fresh database, holds every table with the same rows (count and content checksum per table)."""

import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from dissemination.models import Region
from dissemination.services.subscriptions import subscriber_confirm
from tests.factories import (
    EnrolmentFactory,
    MailingListFactory,
    OrganisationFactory,
    PersonFactory,
    SubscriberFactory,
    TrainingFactory,
    UserFactory,
)
from tests.services.conftest import _database_url
from trainings.enums import MessageKind
from trainings.models import ScheduledMessage

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SCRIPT_TIMEOUT = 120  # seconds for one pg_dump or pg_restore of the small test database

TABLES = """
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""


def contents(url: str) -> dict[str, tuple[int, str]]:
    """Every table of the public schema: (row count, md5 of its rows in a fixed order)."""
    with psycopg.connect(url, autocommit=True) as database:
        tables = [name for (name,) in database.execute(TABLES)]
        result = {}
        for name in tables:
            table = '"' + name.replace('"', '""') + '"'
            count, digest = database.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
            ).fetchone()
            result[name] = (count, digest)
        return result


def run(*command, environment=None):
    result = subprocess.run(
        command, cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=SCRIPT_TIMEOUT, check=False
    )
    assert result.returncode == 0, f"{command[0]} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result.stdout.strip()


@pytest.fixture
def fresh_database():
    """The name of a database that does not exist yet; dropped afterwards (also after a failure)."""
    name = f"test_restore_{uuid.uuid4().hex[:10]}"
    yield name
    admin_url = _database_url({**connection.settings_dict, "NAME": "postgres"})
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed():
    """Rows in many tables, made the way the app makes them (factories and services)."""
    region, _ = Region.objects.get_or_create(name="Rivierenland")
    UserFactory(roles=["staff"])
    organisation = OrganisationFactory(region=region)
    training = TrainingFactory(meetings=5)
    for _ in range(4):
        EnrolmentFactory(training=training, person=PersonFactory(organisation=organisation))
    ScheduledMessage.objects.create(
        kind=MessageKind.ENROLMENT_CONFIRMED, enrolment=training.enrolments.first(), due_at=timezone.now()
    )
    newsletter = MailingListFactory(name="Werkgevers")
    for n in range(3):
        subscriber = SubscriberFactory(email=f"lezer{n}@example.org", status="pending", confirmation_sent_at=None)
        subscriber_confirm(subscriber=subscriber, list_ids=[newsletter.pk])


def test_a_backup_restored_into_a_fresh_database_has_every_row(transactional_db, tmp_path, fresh_database):
    seed()
    source_url = _database_url(connection.settings_dict)
    environment = {**os.environ, "DATABASE_URL": source_url}
    before = contents(source_url)
    assert {"trainings_enrolment", "dissemination_consentrecord", "django_migrations"} <= set(before)
    assert before["trainings_enrolment"][0] == 4
    assert before["dissemination_consentrecord"][0] == 3

    dump = tmp_path / "mentorwijs.dump"
    assert run(str(BASE_DIR / "bin" / "backup"), str(dump), environment=environment) == str(dump)
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert not (tmp_path / "mentorwijs.dump.partial").exists()

    assert run(str(BASE_DIR / "bin" / "restore"), str(dump), fresh_database, environment=environment) == fresh_database

    after = contents(_database_url({**connection.settings_dict, "NAME": fresh_database}))
    assert {name: count for name, (count, _digest) in after.items()} == {
        name: count for name, (count, _digest) in before.items()
    }
    assert after == before  # the same rows, not only as many


def test_restore_refuses_a_database_that_holds_tables(transactional_db, tmp_path):
    environment = {**os.environ, "DATABASE_URL": _database_url(connection.settings_dict)}
    dump = tmp_path / "mentorwijs.dump"
    run(str(BASE_DIR / "bin" / "backup"), str(dump), environment=environment)

    result = subprocess.run(
        [str(BASE_DIR / "bin" / "restore"), str(dump), connection.settings_dict["NAME"]],
        env=environment,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
        check=False,
    )

    assert result.returncode != 0
    assert "not empty" in result.stderr
