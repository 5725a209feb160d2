"""Staff record history: a trainer certified today put on meetings that have taken place, and the
attendance of past meetings recorded afterwards."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ambassadors.services.assignments import assignment_add, register_meeting_checks
from tests.factories import CertificationFactory, EnrolmentFactory, TrainingFactory, UserFactory
from trainings.enums import AssignmentRole, MeetingStatus, TrainingStatus
from trainings.models import Assignment, Attendance, Meeting
from trainings.services.attendance import attendance_record
from trainings.services.scheduling import meetings_update

pytestmark = pytest.mark.django_db

LEAD = AssignmentRole.LEAD


def at(days: int, hour: int = 18):
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, 0)))


def certified_today():
    """A trainer whose trainer certification starts today."""
    user = UserFactory(roles=["trainer"])
    today = timezone.localdate()
    CertificationFactory(holder=user, level="trainer", valid_from=today, valid_until=today + timedelta(days=700))
    return user


def past_run(status=TrainingStatus.COMPLETED):
    """Five weekly meetings, all in the past (from 40 days ago)."""
    return TrainingFactory(status=status, meetings=5, meetings__first_meeting=at(-40))


def half_past_run():
    """A running run: meetings 1-3 held, 4-5 ahead (days -15, -8, -1, 6, 13)."""
    return TrainingFactory(status=TrainingStatus.RUNNING, meetings=5, meetings__first_meeting=at(-15))


def refusal(**kwargs) -> dict:
    with pytest.raises(ValidationError) as refused:
        assignment_add(**kwargs)
    return refused.value.message_dict


def test_a_trainer_certified_today_is_refused_on_past_meetings_without_recording_history(staff_user):
    errors = refusal(training=half_past_run(), trainer=certified_today(), role=LEAD, assigned_by=staff_user)
    assert list(errors) == ["role"]
    assert not Assignment.objects.exists()


def test_staff_record_a_trainer_certified_today_on_a_completed_run_as_history(staff_user):
    training, trainer = past_run(), certified_today()
    assignment = assignment_add(training=training, trainer=trainer, role=LEAD, assigned_by=staff_user, as_history=True)
    assignment.refresh_from_db()
    assert (assignment.trainer, assignment.as_history, assignment.assigned_by) == (trainer, True, staff_user)


def test_history_skips_the_certification_only_for_meetings_that_have_taken_place(staff_user):
    training = half_past_run()
    assignment = assignment_add(
        training=training, trainer=certified_today(), role=LEAD, assigned_by=staff_user, as_history=True
    )
    assert assignment.as_history is True
    # Certified for three days from tomorrow: the meetings ahead are not covered, still refused.
    later = UserFactory(roles=["trainer"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    until = tomorrow + timedelta(days=2)
    CertificationFactory(holder=later, level="co_trainer", valid_from=tomorrow, valid_until=until)
    errors = refusal(
        training=training, trainer=later, role=AssignmentRole.CO_TRAINER, assigned_by=staff_user, as_history=True
    )
    assert list(errors) == ["role"]


@pytest.mark.parametrize("roles", [["trainer"], ["master_trainer"]])
def test_only_staff_record_history(roles):
    who = UserFactory(roles=roles)
    errors = refusal(training=past_run(), trainer=certified_today(), role=LEAD, assigned_by=who, as_history=True)
    assert list(errors) == ["as_history"]
    assert not Assignment.objects.exists()


def test_there_is_no_history_to_record_for_a_run_that_has_not_begun(staff_user):
    training = TrainingFactory(meetings=5, meetings__first_meeting=at(10))
    errors = refusal(training=training, trainer=certified_today(), role=LEAD, assigned_by=staff_user, as_history=True)
    assert list(errors) == ["as_history"]


def test_a_cancelled_run_takes_no_history(staff_user):
    training = past_run(status=TrainingStatus.CANCELLED)
    errors = refusal(training=training, trainer=certified_today(), role=LEAD, assigned_by=staff_user, as_history=True)
    assert list(errors) == ["training"]


def test_a_completed_run_still_takes_no_trainer_without_recording_history(staff_user):
    errors = refusal(training=past_run(), trainer=certified_today(), role=LEAD, assigned_by=staff_user)
    assert list(errors) == ["training"]


def test_a_trainer_in_another_run_at_that_time_is_refused_also_as_history(staff_user):
    trainer = certified_today()
    training = past_run()
    other = TrainingFactory(status=TrainingStatus.COMPLETED, meetings=1, meetings__first_meeting=at(-40))
    assignment_add(training=other, trainer=trainer, role=LEAD, assigned_by=staff_user, as_history=True)
    errors = refusal(training=training, trainer=trainer, role=LEAD, assigned_by=staff_user, as_history=True)
    assert list(errors) == ["trainer"]


def test_a_past_meeting_of_a_history_trainer_can_still_be_changed():
    register_meeting_checks()
    training = past_run(status=TrainingStatus.RUNNING)
    Assignment.objects.create(training=training, trainer=certified_today(), role=LEAD, as_history=True)
    meeting = Meeting.objects.get(training=training, number=2)
    meeting.ends_at = meeting.ends_at + timedelta(minutes=30)
    meetings_update(training=training, meetings=[meeting])
    meeting.refresh_from_db()
    assert meeting.ends_at.minute == 30


def test_staff_record_history_on_the_assignments_page(staff_client, staff_user):
    training, trainer = past_run(), certified_today()
    url = reverse("ambassadors:training_assignments", kwargs={"pk": training.pk})
    page = staff_client.get(url).content.decode()
    assert 'name="as_history"' in page
    response = staff_client.post(url, {"action": "add", "trainer": trainer.pk, "role": LEAD, "as_history": "on"})
    assert response.status_code == 302
    assignment = Assignment.objects.get(training=training)
    assert (assignment.trainer, assignment.as_history, assignment.assigned_by) == (trainer, True, staff_user)
    team = staff_client.get(url).content.decode()
    assert 'data-testid="as-history"' in team
    assert 'data-covered="yes"' in team


def test_the_assignments_page_of_a_run_not_begun_offers_no_history(staff_client):
    training = TrainingFactory(meetings=5, meetings__first_meeting=at(10))
    page = staff_client.get(reverse("ambassadors:training_assignments", kwargs={"pk": training.pk})).content.decode()
    assert 'name="as_history"' not in page


def test_staff_record_the_attendance_of_a_past_meeting_of_a_completed_run(staff_user):
    training = past_run()
    enrolment = EnrolmentFactory(training=training)
    meeting = Meeting.objects.get(training=training, number=1)
    attendance_record(meeting=meeting, entries=[(enrolment, False, "Op vakantie")], by=staff_user)
    row = Attendance.objects.get(meeting=meeting)
    assert (row.present, row.absence_reason, row.recorded_by) == (False, "Op vakantie", staff_user)


def test_a_history_trainer_opens_the_attendance_of_the_past_meetings(client, staff_user):
    training, trainer = past_run(), certified_today()
    assignment_add(training=training, trainer=trainer, role=LEAD, assigned_by=staff_user, as_history=True)
    enrolment = EnrolmentFactory(training=training)
    meeting = Meeting.objects.get(training=training, number=1, status=MeetingStatus.SCHEDULED)
    client.force_login(trainer)
    url = reverse("trainings:meeting_attendance", kwargs={"pk": meeting.pk})
    assert f'name="present_{enrolment.pk}"' in client.get(url).content.decode()
    assert client.post(url, {f"present_{enrolment.pk}": "present"}).status_code == 302
    assert Attendance.objects.get(meeting=meeting).recorded_by == trainer
