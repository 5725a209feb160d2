from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import TrainingFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_trainer_sees_the_coming_meetings_of_their_own_runs_only(client):
    trainer = UserFactory(roles=["trainer"])
    mine = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() + timedelta(hours=2))
    mine.trainers.add(trainer)
    TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() + timedelta(hours=3))
    client.force_login(trainer)
    response = client.get(reverse("overview:home"))
    upcoming = response.context["upcoming_meetings"]
    assert [(meeting.training, meeting.number) for meeting in upcoming] == [(mine, 1), (mine, 2)]
    assert [meeting.attendance_open for meeting in upcoming] == [True, False]


def test_an_ambassador_sees_no_meetings(client):
    TrainingFactory(meetings=2, meetings__first_meeting=timezone.now() + timedelta(hours=2))
    client.force_login(UserFactory(roles=["ambassador"]))
    assert client.get(reverse("overview:home")).context["upcoming_meetings"] == []


@pytest.mark.parametrize("rows", [5, 200])
def test_staff_home_runs_fixed_queries(client, django_assert_num_queries, rows):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    for _ in range(rows // 5):
        TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() + timedelta(hours=1))
    with django_assert_num_queries(7):
        response = client.get(reverse("overview:home"))
    # Two of each run's weekly meetings fall in the coming fortnight; the page shows at most eight.
    assert len(response.context["upcoming_meetings"]) == min(2 * (rows // 5), 8)
