"""The remaining pages and files that list things: a fixed number of queries whatever the number
of rows (the main list pages assert theirs beside their other tests)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import EnrolmentFactory, OrganisationFactory, TrainingFactory, UserFactory
from trainings.calendar import trainer_feed_token
from trainings.enums import EvaluationMoment
from trainings.models import Evaluation, Meeting

pytestmark = pytest.mark.django_db

ROWS = [5, 200]


def past_run(**kwargs):
    return TrainingFactory(
        meetings=5, meetings__first_meeting=timezone.now() - timedelta(weeks=6), status="running", **kwargs
    )


@pytest.mark.parametrize("rows", ROWS)
def test_public_feed_runs_fixed_queries(client, django_assert_num_queries, rows):
    run = TrainingFactory(meetings=1)
    start = run.meetings.get().starts_at
    Meeting.objects.bulk_create(
        Meeting(training=run, number=n, starts_at=start + timedelta(days=n), ends_at=start + timedelta(days=n, hours=2),
                location=run.meetings.get().location)
        for n in range(2, rows + 1)
    )  # fmt: skip
    with django_assert_num_queries(1):
        response = client.get(reverse("trainings:public_feed"))
    assert response.content.decode().count("BEGIN:VEVENT") == rows


@pytest.mark.parametrize("rows", ROWS)
def test_trainer_feed_runs_fixed_queries(client, django_assert_num_queries, rows):
    trainer = UserFactory(roles=["trainer"])
    runs = TrainingFactory.create_batch(rows // 5, meetings=5)
    for run in runs:
        run.trainers.add(trainer)
    with django_assert_num_queries(2):
        response = client.get(reverse("trainings:trainer_feed", args=[trainer_feed_token(trainer)]))
    assert response.content.decode().count("BEGIN:VEVENT") == rows


@pytest.mark.parametrize("rows", ROWS)
def test_catch_up_page_runs_fixed_queries(client, django_assert_num_queries, rows):
    run, other = past_run(), past_run()
    trainer = UserFactory(roles=["trainer"])
    run.trainers.add(trainer)
    EnrolmentFactory.create_batch(rows, training=other, person__first_name="Anna", person__last_name="Jansen")
    client.force_login(trainer)
    meeting = run.meetings.get(number=2)
    # The user, the meeting among the trainer's runs (the permission), the candidates by full name.
    with django_assert_num_queries(3):
        response = client.get(reverse("trainings:catch_up", args=[meeting.pk]), {"q": "Anna Jansen"})
    assert len(response.context["candidates"]) == min(rows, 25)


@pytest.mark.parametrize("rows", ROWS)
def test_catch_up_page_runs_fixed_queries_for_staff(client, django_assert_num_queries, rows):
    run, other = past_run(), past_run()
    EnrolmentFactory.create_batch(rows, training=other)
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    meeting = run.meetings.get(number=2)
    # The user, the meeting, the candidates.
    with django_assert_num_queries(3):
        response = client.get(reverse("trainings:catch_up", args=[meeting.pk]))
    assert len(response.context["candidates"]) == min(rows, 25)


@pytest.mark.parametrize("rows", ROWS)
def test_organisation_search_runs_fixed_queries(client, django_assert_num_queries, rows):
    OrganisationFactory.create_batch(rows, name="Bakkerij", public_since=timezone.now())
    with django_assert_num_queries(1):
        response = client.get(reverse("trainings:organisation_search"), {"q": "bakk"})
    assert len(response.json()["results"]) == min(rows, 10)


@pytest.mark.parametrize("rows", ROWS)
def test_evaluation_export_runs_fixed_queries(staff_client, django_assert_num_queries, rows):
    run = past_run()
    enrolments = EnrolmentFactory.create_batch(rows, training=run)
    Evaluation.objects.bulk_create(
        Evaluation(enrolment=enrolment, moment=EvaluationMoment.BEFORE, self_efficacy={}) for enrolment in enrolments
    )
    with django_assert_num_queries(2):
        response = staff_client.get(reverse("trainings:evaluation_export"))
    assert len(b"".join(response.streaming_content if response.streaming else [response.content]).splitlines()) == (
        rows + 1
    )
