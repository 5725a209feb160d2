"""Cached pages (mentorwijs/page_cache.py): served without reading rows while nothing was written,
never after a write, never to another user, with the visitor's own CSRF token, never with messages."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentorwijs.page_cache import CSRF_PLACEHOLDER, generation, is_shown_write
from tests.factories import EnrolmentFactory, PersonFactory, TrainingFactory, UserFactory
from trainings.models import Attendance, Training

pytestmark = pytest.mark.django_db

TRAINING_LIST = reverse("trainings:training_list")


def main_of(response) -> str:
    """The page's main element: the fragment and the messages (the header has a fresh CSRF token)."""
    page = response.content.decode()
    return page[page.index('<main id="main"') : page.index("</main>")]


def csrf_token_in(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize(
    ("sql", "shown"),
    [
        ('INSERT INTO "trainings_training" ("title") VALUES (%s)', True),
        ('UPDATE "dissemination_organisation" SET "name" = %s', True),
        (' delete FROM "trainings_enrolment" WHERE "id" = %s', True),
        ('SELECT "trainings_training"."id" FROM "trainings_training"', False),
        ('UPDATE "django_session" SET "session_data" = %s', False),
        ('UPDATE "django_celery_beat_periodictask" SET "last_run_at" = %s', False),
        ('UPDATE "dissemination_delivery" SET "status" = %s', False),
    ],
)
def test_writes_to_shown_tables_move_the_generation(sql, shown):
    assert is_shown_write(sql) is shown


def test_a_write_moves_the_generation_at_once_and_again_at_commit(django_capture_on_commit_callbacks):
    before = generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        TrainingFactory()
        written = generation()
        assert written > before
    assert len(callbacks) == 1  # once per transaction, however many statements
    assert generation() > written


def test_reads_and_session_writes_leave_the_generation():
    TrainingFactory()
    before = generation()
    list(Training.objects.all())
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now())
    assert generation() == before


def test_the_second_visit_reads_no_rows_and_a_write_shows_at_once(staff_client):
    TrainingFactory(title="Eerste run", meetings=2)
    first = staff_client.get(TRAINING_LIST)
    assert "Eerste run" in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        second = staff_client.get(TRAINING_LIST)
    assert main_of(second) == main_of(first)
    # Only the user (the session comes from the cache): no runs, counts or regions.
    assert [query["sql"] for query in queries.captured_queries if "trainings_" in query["sql"]] == []
    assert len(queries) <= 1

    TrainingFactory(title="Tweede run", meetings=2)
    third = staff_client.get(TRAINING_LIST).content.decode()
    assert "Eerste run" in third
    assert "Tweede run" in third


def test_a_fragment_is_not_served_to_another_user(staff_client):
    TrainingFactory(title="Run zonder deze trainer")
    given = TrainingFactory(title="Run van de trainer")
    trainer = UserFactory(roles=["trainer"])
    given.trainers.add(trainer)
    assert "Run zonder deze trainer" in staff_client.get(TRAINING_LIST).content.decode()

    other = Client()
    other.force_login(trainer)
    page = other.get(TRAINING_LIST).content.decode()
    assert "Run van de trainer" in page
    assert "Run zonder deze trainer" not in page


def test_a_cached_form_carries_the_visitors_own_csrf_token():
    """Two browsers of one trainer: the second gets the sheet from the cache, with a token that its
    own CSRF cookie accepts, and saving through it works."""
    run = TrainingFactory(meetings=1, meetings__first_meeting=timezone.now() - timedelta(hours=1), status="running")
    enrolment = EnrolmentFactory(training=run, person=PersonFactory())
    trainer = UserFactory(roles=["trainer"])
    run.trainers.add(trainer)
    url = reverse("trainings:meeting_attendance", kwargs={"pk": run.meetings.get().pk})
    phone, laptop = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    phone.force_login(trainer)
    laptop.force_login(trainer)

    first = phone.get(url)
    with CaptureQueriesContext(connection) as queries:
        second = laptop.get(url)
    assert not any("trainings_enrolment" in query["sql"] for query in queries.captured_queries)  # from the cache
    assert csrf_token_in(first) != csrf_token_in(second)

    response = laptop.post(url, {"csrfmiddlewaretoken": csrf_token_in(second), f"present_{enrolment.pk}": "present"})
    assert response.status_code == 302
    assert Attendance.objects.get(enrolment=enrolment).present is True
    # The sheet shows what was just saved, not the cached one from before.
    assert "checked" in laptop.get(url).content.decode()


def test_a_page_that_changes_with_the_clock_is_rendered_anew_the_next_minute(client, page_minute):
    run = TrainingFactory(meetings=1, meetings__first_meeting=timezone.now() - timedelta(hours=1), status="running")
    trainer = UserFactory(roles=["trainer"])
    run.trainers.add(trainer)
    client.force_login(trainer)
    url = reverse("trainings:meeting_attendance", kwargs={"pk": run.meetings.get().pk})
    client.get(url)
    assert client.get(url).context is None  # the same minute: from the cache
    page_minute[0] += 1
    assert client.get(url).context is not None


def test_a_form_with_errors_is_rendered_fresh_and_not_cached(client):
    run = TrainingFactory(meetings=1, meetings__first_meeting=timezone.now() - timedelta(hours=1), status="running")
    trainer = UserFactory(roles=["trainer"])
    run.trainers.add(trainer)
    meeting = run.meetings.get()
    meeting.status = "cancelled"
    meeting.save()
    enrolment = EnrolmentFactory(training=run)
    client.force_login(trainer)
    url = reverse("trainings:meeting_attendance", kwargs={"pk": meeting.pk})
    refused = client.post(url, {f"present_{enrolment.pk}": "present"})
    assert refused.status_code == 400
    shown = client.get(url)
    assert shown.context["form"].errors == {}  # rendered anew for the GET, not the POST's page


def test_a_page_with_a_message_is_neither_served_from_nor_kept_in_the_cache(client):
    run = TrainingFactory(meetings=1, meetings__first_meeting=timezone.now() - timedelta(hours=1), status="running")
    enrolment = EnrolmentFactory(training=run)
    trainer = UserFactory(roles=["trainer"])
    run.trainers.add(trainer)
    client.force_login(trainer)
    url = reverse("trainings:meeting_attendance", kwargs={"pk": run.meetings.get().pk})
    client.get(url)  # kept

    saved = client.post(url, {f"present_{enrolment.pk}": "present"}, follow=True)
    again = client.get(url)
    third = client.get(url)

    assert "Aanwezigheid opgeslagen voor 1 deelnemers." in saved.content.decode()
    # The page with the message was not kept: the next visit renders it anew, without the message,
    # and that one is kept.
    assert again.context is not None
    assert third.context is None
    assert "Aanwezigheid opgeslagen" not in again.content.decode()
    assert third.content.decode().count("checked") == again.content.decode().count("checked") > 0


def test_no_page_carries_the_placeholder_of_the_csrf_token(staff_client):
    run = TrainingFactory(meetings=2)
    urls = [TRAINING_LIST, reverse("trainings:training_detail", args=[run.pk]), reverse("overview:home")]
    for url in urls * 2:  # rendered, then from the cache
        page = staff_client.get(url).content.decode()
        assert CSRF_PLACEHOLDER not in page
        assert 'name="csrfmiddlewaretoken" value="' in page
    trainer_client = Client()
    trainer_client.force_login(UserFactory(roles=["trainer"]))
    refused = trainer_client.get(reverse("trainings:training_detail", args=[run.pk]))
    assert refused.status_code == 404
    assert CSRF_PLACEHOLDER not in refused.content.decode()
