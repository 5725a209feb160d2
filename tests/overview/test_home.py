from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import AssignmentOffer, FidelityReview
from tests.factories import (
    AssignmentFactory,
    CertificationFactory,
    InvitationFactory,
    LocationFactory,
    MailingListFactory,
    TrainingFactory,
    UserFactory,
)

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
    # The page and its meetings, staff's quality to-dos (requests, runs without a lead, offers), the
    # event follow-ups due, and one for the first steps of a fresh install.
    with django_assert_num_queries(8):
        response = client.get(reverse("overview:home"))
    # Two of each run's weekly meetings fall in the coming fortnight; the page shows at most eight.
    assert len(response.context["upcoming_meetings"]) == min(2 * (rows // 5), 8)


def test_trainer_home_shows_an_expiring_certification_and_self_reports_due(client):
    trainer = UserFactory(roles=["trainer"])
    CertificationFactory(holder=trainer, valid_from=timezone.localdate() - timedelta(days=700))
    ended = TrainingFactory(status="completed", meetings=1, meetings__first_meeting=timezone.now() - timedelta(days=9))
    AssignmentFactory(training=ended, trainer=trainer, role="lead")
    reported = TrainingFactory(
        status="completed", meetings=1, meetings__first_meeting=timezone.now() - timedelta(days=9)
    )
    AssignmentFactory(training=reported, trainer=trainer, role="lead")
    FidelityReview.objects.create(training=reported, kind="self_report", reviewer=trainer, average=3)
    AssignmentFactory(training=TrainingFactory(status="completed", meetings=1), trainer=trainer, role="co_trainer")
    client.force_login(trainer)

    tasks = client.get(reverse("overview:home")).context["quality_tasks"]

    assert tasks["certification"]["current"].holder == trainer
    assert tasks["certification"]["expiring"] is True
    assert tasks["self_reports_due"] == [ended]
    assert "requests_waiting" not in tasks


def test_staff_home_counts_requests_runs_without_a_lead_and_offers(client, staff_user):
    CertificationFactory(status="requested", valid_from=None, valid_until=None)
    coming = TrainingFactory(status="open", meetings=2, meetings__first_meeting=timezone.now() + timedelta(days=7))
    led = TrainingFactory(status="open", meetings=2, meetings__first_meeting=timezone.now() + timedelta(days=7))
    AssignmentFactory(training=led, role="lead")
    AssignmentOffer.objects.create(training=coming, trainer=UserFactory(roles=["trainer"]), role="lead")
    client.force_login(staff_user)

    tasks = client.get(reverse("overview:home")).context["quality_tasks"]

    assert (tasks["requests_waiting"], tasks["runs_without_lead"], tasks["offers_waiting"]) == (1, 1, 1)
    assert "certification" not in tasks


def first_steps(client, user):
    client.force_login(user)
    steps = client.get(reverse("overview:home")).context["first_steps"]
    return {step["key"]: step["done"] for step in steps}


def test_on_a_fresh_install_staff_see_every_first_step_open(client):
    staff = UserFactory(roles=["staff"], two_factor=True)

    assert first_steps(client, staff) == {
        "team": False,
        "founding_master_trainer": False,
        "location": False,
        "mailing_list": False,
        "training": False,
    }
    response = client.get(reverse("overview:home"))
    assert reverse("trainings:location_list") in response.content.decode()


def test_each_first_step_is_done_by_what_it_asks_and_not_by_look_alikes(client):
    staff = UserFactory(roles=["staff"], two_factor=True)
    # Look-alikes: a staff invitation from the command line, a trainer's (not a master trainer's)
    # certification, an archived location, an internal list.
    InvitationFactory(roles=["staff"], invited_by=None)
    CertificationFactory(holder=UserFactory(roles=["staff"]), level="trainer")
    LocationFactory(archived_at=timezone.now())
    MailingListFactory(name="Intern", public=False)
    assert set(first_steps(client, staff).values()) == {False}

    InvitationFactory(roles=["ambassador"], invited_by=staff)
    CertificationFactory(level="master_trainer")
    LocationFactory()
    MailingListFactory(name="Werkgevers", public=True)
    steps = first_steps(client, staff)
    assert steps == {
        "team": True,
        "founding_master_trainer": True,
        "location": True,
        "mailing_list": True,
        "training": False,
    }


def test_the_first_steps_disappear_when_all_are_done_and_other_roles_never_see_them(client):
    staff = UserFactory(roles=["staff"], two_factor=True)
    CertificationFactory(level="master_trainer")  # its holder is a trainer: a colleague
    LocationFactory()
    MailingListFactory(name="Werkgevers", public=True)
    TrainingFactory()

    assert first_steps(client, staff) == {}
    assert first_steps(client, UserFactory(roles=["trainer"])) == {}
