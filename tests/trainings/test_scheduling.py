import importlib
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ambassadors.services.assignments import assignment_add
from tests.factories import (
    AssignmentFactory,
    CertificationFactory,
    EnrolmentFactory,
    LocationFactory,
    OrganisationFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.enums import EnrolmentStatus, MeetingStatus, MessageKind, MessageStatus, TrainingStatus
from trainings.models import Assignment, Meeting, ScheduledMessage, Training
from trainings.services import scheduling
from trainings.services.cancellation import UNDO_WINDOW, training_cancel
from trainings.services.messages import messages_send_due, reminders_schedule_for_enrolment
from trainings.tasks import advance_statuses

pytestmark = pytest.mark.django_db


def at(days: int, hour: int = 18):
    """An aware datetime `days` from today at `hour`:00 local time."""
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, 0)))


def run(first_day: int = 30, status: str = "open", location=None, **kwargs):
    return TrainingFactory(
        status=status, meetings=5, meetings__first_meeting=at(first_day), meetings__location=location, **kwargs
    )


def give(training, trainer):
    """`trainer` leads the run, certified for it, assigned as staff would (with reminders)."""
    CertificationFactory(holder=trainer)
    assignment_add(training=training, trainer=trainer, role="lead", assigned_by=None)


def meeting(training, number):
    return Meeting.objects.get(training=training, number=number)


def formset_data(training, changes: dict[int, dict] | None = None) -> dict:
    """POST data for the meetings formset: every meeting as it is, with `changes` per number."""
    changes = changes or {}
    meetings = list(training.meetings.order_by("number"))
    data = {
        "meetings-TOTAL_FORMS": str(len(meetings)),
        "meetings-INITIAL_FORMS": str(len(meetings)),
        "meetings-MIN_NUM_FORMS": "0",
        "meetings-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(meetings):
        starts_at, ends_at = timezone.localtime(item.starts_at), timezone.localtime(item.ends_at)
        fields = {
            "id": str(item.pk),
            "number": str(item.number),
            "date": starts_at.date().isoformat(),
            "start_time": starts_at.strftime("%H:%M"),
            "end_time": ends_at.strftime("%H:%M"),
            "location": str(item.location_id),
            "components": item.components,
        }
        fields.update(changes.get(item.number, {}))
        data.update({f"meetings-{index}-{name}": value for name, value in fields.items()})
    return data


# --- creating a run ---------------------------------------------------------------------------


def test_creating_a_run_proposes_five_weekly_meetings_at_one_location():
    location = LocationFactory()
    training = scheduling.training_create(
        title="Mentorwijs Tiel voorjaar",
        region=location.region,
        first_meeting_starts_at=at(20),
        first_meeting_ends_at=at(20, 21),
        location=location,
    )
    meetings = list(training.meetings.order_by("number"))
    assert training.status == TrainingStatus.DRAFT
    assert training.capacity == 15
    assert [m.number for m in meetings] == [1, 2, 3, 4, 5]
    assert [m.starts_at for m in meetings] == [at(20 + 7 * week) for week in range(5)]
    assert [m.ends_at for m in meetings] == [at(20 + 7 * week, 21) for week in range(5)]
    assert {m.location for m in meetings} == {location}


def test_create_page_makes_the_run_and_leads_to_its_meetings(staff_client):
    location = LocationFactory()
    day = timezone.localdate() + timedelta(days=21)
    response = staff_client.post(
        reverse("trainings:training_create"),
        {
            "title": "Mentorwijs Culemborg",
            "variant": "standard",
            "region": str(location.region_id),
            "capacity": "12",
            "local_adaptations": "",
            "first_meeting_date": day.isoformat(),
            "first_meeting_start": "17:30",
            "first_meeting_end": "20:30",
            "location": str(location.pk),
        },
    )
    training = Training.objects.get(title="Mentorwijs Culemborg")
    assert response.status_code == 302
    assert response["Location"] == reverse("trainings:meetings_update", args=[training.pk])
    assert training.capacity == 12
    assert training.meetings.count() == 5
    assert timezone.localtime(training.meetings.get(number=1).starts_at).time() == time(17, 30)


def test_create_page_refuses_a_location_booked_at_that_time_and_saves_nothing(staff_client):
    location = LocationFactory()
    run(first_day=28, location=location)
    before = Training.objects.count()
    day = timezone.localdate() + timedelta(days=42)  # the third meeting of the other run
    response = staff_client.post(
        reverse("trainings:training_create"),
        {
            "title": "Dubbel geboekt",
            "variant": "standard",
            "region": str(location.region_id),
            "capacity": "15",
            "first_meeting_date": day.isoformat(),
            "first_meeting_start": "19:00",
            "first_meeting_end": "22:00",
            "location": str(location.pk),
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["location"]
    assert Training.objects.count() == before
    assert not Training.objects.filter(title="Dubbel geboekt").exists()


def test_a_location_clash_ignores_cancelled_meetings_and_cancelled_runs():
    location = LocationFactory()
    cancelled_run = run(first_day=28, location=location, status="cancelled")
    other = run(first_day=29, location=location)
    Meeting.objects.filter(training=other).update(starts_at=at(28, 18), ends_at=at(28, 21))
    Meeting.objects.filter(training=other).exclude(number=1).delete()
    scheduling.meeting_cancel(meeting=meeting(other, 1))
    training = scheduling.training_create(
        title="Nu vrij",
        region=location.region,
        first_meeting_starts_at=at(28, 18),
        first_meeting_ends_at=at(28, 21),
        location=location,
    )
    assert training.meetings.count() == 5
    assert cancelled_run.meetings.count() == 5


def test_a_meeting_touching_another_at_the_same_location_is_no_clash():
    location = LocationFactory()
    booked = run(first_day=28, location=location)
    training = scheduling.training_create(
        title="Aansluitend",
        region=location.region,
        first_meeting_starts_at=meeting(booked, 1).ends_at,
        first_meeting_ends_at=meeting(booked, 1).ends_at + timedelta(hours=2),
        location=location,
    )
    assert training.meetings.count() == 5


# --- changing meetings ------------------------------------------------------------------------


def test_meetings_out_of_order_are_refused_on_the_start_and_nothing_is_saved():
    training = run()
    first, second = meeting(training, 1), meeting(training, 2)
    old_first = first.starts_at
    first.starts_at, first.ends_at = at(29), at(29, 21)  # still before meeting 2: fine
    second.starts_at, second.ends_at = at(27), at(27, 21)  # before meeting 1
    with pytest.raises(scheduling.MeetingsInvalid) as refused:
        scheduling.meetings_update(training=training, meetings=[first, second])
    assert [list(found) for found in refused.value.errors] == [[], ["starts_at"]]
    assert meeting(training, 1).starts_at == old_first
    assert meeting(training, 2).starts_at == at(37)


def test_overlapping_meetings_within_a_run_are_refused():
    training = run()
    second = meeting(training, 2)
    second.starts_at, second.ends_at = at(30, 20), at(30, 22)  # meeting 1 runs 18:00-21:00 that day
    with pytest.raises(scheduling.MeetingsInvalid) as refused:
        scheduling.meetings_update(training=training, meetings=[second])
    assert [list(found) for found in refused.value.errors] == [["starts_at"]]
    assert meeting(training, 2).starts_at == at(37)


def test_two_meetings_with_one_number_are_refused_on_the_number():
    training = run()
    second = meeting(training, 2)
    second.number = 3
    with pytest.raises(scheduling.MeetingsInvalid) as refused:
        scheduling.meetings_update(training=training, meetings=[second])
    assert "number" in refused.value.errors[0]


def test_meetings_page_refuses_a_booked_location_next_to_that_meeting(staff_client):
    busy = LocationFactory()
    run(first_day=31, location=busy)
    training = run(first_day=30)
    data = formset_data(
        training, {2: {"location": str(busy.pk), "date": (timezone.localdate() + timedelta(days=38)).isoformat()}}
    )
    response = staff_client.post(reverse("trainings:meetings_update", args=[training.pk]), data)
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert [list(form.errors) for form in forms] == [[], ["location"], [], [], []]
    assert meeting(training, 2).location_id != busy.pk


def test_meetings_page_reports_order_on_the_start_time(staff_client):
    training = run()
    data = formset_data(training, {3: {"date": (timezone.localdate() + timedelta(days=31)).isoformat()}})
    response = staff_client.post(reverse("trainings:meetings_update", args=[training.pk]), data)
    assert [list(form.errors) for form in response.context["formset"].forms] == [[], [], ["start_time"], [], []]


def test_meetings_page_saves_components_and_meal(staff_client):
    training = run()
    data = formset_data(training, {1: {"components": ["autonomy", "leadership"], "meal_served": "on"}})
    response = staff_client.post(reverse("trainings:meetings_update", args=[training.pk]), data)
    assert response.status_code == 302
    first = meeting(training, 1)
    assert first.components == ["autonomy", "leadership"]
    assert first.meal_served is True


def test_meetings_page_adds_a_meeting_when_a_date_is_chosen(staff_client):
    training = run()
    page = staff_client.get(reverse("trainings:meetings_update", args=[training.pk]))
    assert page.context["formset"].extra_forms[0].initial["number"] == 6
    data = formset_data(training)
    data.update(
        {
            "meetings-TOTAL_FORMS": "6",
            "meetings-5-number": "6",
            "meetings-5-date": (timezone.localdate() + timedelta(days=65)).isoformat(),
            "meetings-5-start_time": "18:00",
            "meetings-5-end_time": "21:00",
            "meetings-5-location": str(meeting(training, 5).location_id),
        }
    )
    response = staff_client.post(reverse("trainings:meetings_update", args=[training.pk]), data)
    assert response.status_code == 302
    assert meeting(training, 6).starts_at == at(65)


def test_moved_meeting_mails_participants_and_trainers_and_moves_reminders(django_capture_on_commit_callbacks):
    trainer = UserFactory(roles=["trainer"])
    training = run()
    give(training, trainer)
    enrolled = EnrolmentFactory(training=training)
    waiting = EnrolmentFactory(training=training, status=EnrolmentStatus.WAITLISTED)
    reminders_schedule_for_enrolment(enrolment=enrolled)
    third = meeting(training, 3)
    old_location = str(third.location)
    third.starts_at, third.ends_at = at(45, 19), at(45, 22)
    third.location = LocationFactory(name="Bibliotheek")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.meetings_update(training=training, meetings=[third])
    assert sorted(message.to[0] for message in mail.outbox) == sorted([enrolled.person.email, trainer.email])
    assert waiting.person.email not in [message.to[0] for message in mail.outbox]
    assert all(message.attachments[0][0] == "mentorwijs.ics" for message in mail.outbox)
    moved = ScheduledMessage.objects.filter(kind=MessageKind.MEETING_MOVED)
    assert moved.count() == 2
    assert moved.first().context["old_location"] == old_location
    assert moved.first().context["old_starts_at"] == timezone.localtime(at(44)).isoformat()  # shown per recipient
    reminders = ScheduledMessage.objects.filter(
        kind=MessageKind.MEETING_REMINDER, meeting=third, status=MessageStatus.PENDING
    )
    assert sorted(r.due_at for r in reminders) == [at(43, 19), at(43, 19)]


def test_moving_a_meeting_of_a_draft_run_mails_nobody(django_capture_on_commit_callbacks):
    training = run(status="draft")
    EnrolmentFactory(training=training)
    second = meeting(training, 2)
    second.starts_at, second.ends_at = at(38), at(38, 21)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.meetings_update(training=training, meetings=[second])
    assert mail.outbox == []
    assert meeting(training, 2).starts_at == at(38)


def test_cancelled_meeting_cancels_its_reminders_and_mails_participants_and_trainers(
    staff_client, django_capture_on_commit_callbacks
):
    trainer = UserFactory(roles=["trainer"])
    training = run()
    give(training, trainer)
    enrolled = EnrolmentFactory(training=training)
    reminders_schedule_for_enrolment(enrolment=enrolled)
    second = meeting(training, 2)
    url = reverse("trainings:meeting_cancel", args=[second.pk])
    assert staff_client.get(url).status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url)
    assert response.status_code == 302
    assert meeting(training, 2).status == MeetingStatus.CANCELLED
    assert sorted(message.to[0] for message in mail.outbox) == sorted([enrolled.person.email, trainer.email])
    assert set(
        ScheduledMessage.objects.filter(kind=MessageKind.MEETING_REMINDER, meeting=second).values_list(
            "status", flat=True
        )
    ) == {MessageStatus.CANCELLED}
    assert (
        ScheduledMessage.objects.filter(
            kind=MessageKind.MEETING_REMINDER, meeting=meeting(training, 3), status=MessageStatus.PENDING
        ).count()
        == 2
    )


def test_moving_a_meeting_past_the_next_one_is_refused_on_that_meeting_and_nothing_is_saved():
    training = run()
    second = meeting(training, 2)
    second.starts_at, second.ends_at = at(45), at(45, 21)  # the day after meeting 3
    with pytest.raises(scheduling.MeetingsInvalid) as refused:
        scheduling.meetings_update(training=training, meetings=[second])
    assert [list(found) for found in refused.value.errors] == [["starts_at"]]
    assert refused.value.others == {}
    assert meeting(training, 2).starts_at == at(37)


def test_moving_a_meeting_onto_the_next_ones_time_is_refused_on_that_meeting():
    training = run()
    second = meeting(training, 2)
    second.starts_at, second.ends_at = at(44), at(44, 21)  # meeting 3's time
    with pytest.raises(scheduling.MeetingsInvalid) as refused:
        scheduling.meetings_update(training=training, meetings=[second])
    assert [list(found) for found in refused.value.errors] == [["starts_at"]]
    assert meeting(training, 2).starts_at == at(37)


def test_meetings_page_refuses_a_meeting_moved_past_the_next_one(staff_client):
    training = run()
    data = formset_data(training, {2: {"date": (timezone.localdate() + timedelta(days=45)).isoformat()}})
    response = staff_client.post(reverse("trainings:meetings_update", args=[training.pk]), data)
    assert response.status_code == 200
    assert [list(form.errors) for form in response.context["formset"].forms] == [[], ["start_time"], [], [], []]
    assert [m.starts_at for m in training.meetings.order_by("number")] == [at(30 + 7 * week) for week in range(5)]


def test_meetings_page_shows_a_clash_an_unchanged_meeting_already_had_on_that_meeting(staff_client):
    busy = LocationFactory()
    training = run()
    other = run(first_day=100, location=busy)
    # Another run took meeting 4's place and time behind the page's back (say, reopened after cancelling).
    fourth = meeting(training, 4)
    Meeting.objects.filter(pk=fourth.pk).update(location=busy)
    Meeting.objects.filter(training=other, number=1).update(starts_at=fourth.starts_at, ends_at=fourth.ends_at)
    data = formset_data(training, {1: {"meal_served": "on"}})
    response = staff_client.post(reverse("trainings:meetings_update", args=[training.pk]), data)
    assert response.status_code == 200
    assert [list(form.errors) for form in response.context["formset"].forms] == [[], [], [], ["location"], []]
    assert meeting(training, 1).meal_served is False


def test_a_moved_or_cancelled_meeting_gets_a_higher_calendar_sequence():
    training = run()
    second, third = meeting(training, 2), meeting(training, 3)
    second.starts_at, second.ends_at = at(38), at(38, 21)
    third.components = ["autonomy"]  # not moved
    scheduling.meetings_update(training=training, meetings=[second, third])
    scheduling.meeting_cancel(meeting=meeting(training, 4))
    assert list(training.meetings.order_by("number").values_list("sequence", flat=True)) == [0, 1, 0, 1, 0]


def test_adding_a_meeting_after_the_last_reminds_everyone_once_and_moves_the_after_evaluation():
    trainer = UserFactory(roles=["trainer"])
    training = run()
    give(training, trainer)
    enrolled = EnrolmentFactory(training=training)
    EnrolmentFactory(training=training, status=EnrolmentStatus.WAITLISTED)
    reminders_schedule_for_enrolment(enrolment=enrolled)
    last = meeting(training, 5)
    added = Meeting(training=training, number=6, starts_at=at(65), ends_at=at(65, 21), location=last.location)

    scheduling.meetings_update(training=training, meetings=[added])

    reminders = ScheduledMessage.objects.filter(kind=MessageKind.MEETING_REMINDER, meeting=meeting(training, 6))
    assert {(r.enrolment_id, r.user_id, r.due_at) for r in reminders} == {
        (enrolled.pk, None, at(63)),
        (None, trainer.pk, at(63)),
    }
    assert reminders.count() == 2
    assert ScheduledMessage.objects.filter(kind=MessageKind.MEETING_REMINDER).count() == 12
    after = ScheduledMessage.objects.get(kind=MessageKind.EVALUATION_AFTER, enrolment=enrolled)
    assert (after.status, after.due_at) == (MessageStatus.PENDING, at(65, 21))


def test_training_create_takes_no_created_by(staff_user):
    location = LocationFactory()
    with pytest.raises(TypeError):
        scheduling.training_create(
            title="Met maker",
            region=location.region,
            first_meeting_starts_at=at(20),
            first_meeting_ends_at=at(20, 21),
            location=location,
            created_by=staff_user,
        )
    assert not Training.objects.filter(title="Met maker").exists()


# --- the run itself ---------------------------------------------------------------------------


def test_capacity_below_places_held_is_refused_on_capacity():
    training = run()
    EnrolmentFactory.create_batch(3, training=training)
    EnrolmentFactory(training=training, status=EnrolmentStatus.OFFERED)
    EnrolmentFactory(training=training, status=EnrolmentStatus.WAITLISTED)
    with pytest.raises(ValidationError) as refused:
        scheduling.training_update(training=training, capacity=3)
    assert list(refused.value.error_dict) == ["capacity"]
    training.refresh_from_db()
    assert training.capacity == 15
    assert scheduling.training_update(training=training, capacity=4).capacity == 4


def test_edit_page_shows_the_capacity_error_and_keeps_the_run(staff_client):
    training = run(title="Vol")
    EnrolmentFactory.create_batch(2, training=training)
    response = staff_client.post(
        reverse("trainings:training_update", args=[training.pk]),
        {
            "title": "Vol",
            "variant": "standard",
            "region": str(training.region_id),
            "capacity": "1",
            "status": "open",
            "local_adaptations": "",
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["capacity"]
    training.refresh_from_db()
    assert training.capacity == 15


def cancel(training):
    return training_cancel(training=training, reason="De trainer is ziek.", by=None)


def test_the_edit_form_no_longer_cancels_a_run(staff_client):
    training = run(title="Blijft")
    enrolled = EnrolmentFactory(training=training)
    data = {"title": "Blijft", "variant": "standard", "region": str(training.region_id), "capacity": "15"}
    response = staff_client.post(
        reverse("trainings:training_update", args=[training.pk]), {**data, "status": "cancelled"}
    )
    assert list(response.context["form"].errors) == ["status"]
    assert "cancelled" not in dict(response.context["form"].fields["status"].choices)
    training.refresh_from_db(), enrolled.refresh_from_db()
    assert (training.status, enrolled.status) == (TrainingStatus.OPEN, EnrolmentStatus.REGISTERED)
    with pytest.raises(ValidationError):
        scheduling.training_update(training=training, status=TrainingStatus.CANCELLED)


def test_the_edit_form_of_a_cancelled_run_keeps_it_cancelled_or_opens_it_again(staff_client):
    training = run(title="Weg")
    cancel(training)
    data = {"title": "Weg!", "variant": "standard", "region": str(training.region_id), "capacity": "15"}
    staff_client.post(reverse("trainings:training_update", args=[training.pk]), {**data, "status": "cancelled"})
    training.refresh_from_db()
    assert (training.title, training.status) == ("Weg!", TrainingStatus.CANCELLED)
    staff_client.post(reverse("trainings:training_update", args=[training.pk]), {**data, "status": "open"})
    training.refresh_from_db()
    assert training.status == TrainingStatus.OPEN


def reopen_refusal(training) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        scheduling.training_update(training=training, status=TrainingStatus.OPEN)
    assert list(refused.value.error_dict) == ["status"]
    training.refresh_from_db()
    assert training.status == TrainingStatus.CANCELLED
    return refused.value.messages


def test_reopening_a_cancelled_run_whose_lead_now_gives_another_run_then_is_refused():
    lead = UserFactory(roles=["trainer"])
    cancelled = run()
    give(cancelled, lead)
    cancel(cancelled)
    other = run()  # the same times, at another location
    assignment_add(training=other, trainer=lead, role="lead", assigned_by=None)

    messages = reopen_refusal(cancelled)

    assert any(other.title in message and str(lead) in message for message in messages)


def test_reopening_a_cancelled_run_whose_location_was_booked_meanwhile_is_refused():
    location = LocationFactory()
    cancelled = run(location=location)
    cancel(cancelled)
    other = run(first_day=44, location=location)  # takes meetings 3 to 5's slots

    messages = reopen_refusal(cancelled)

    assert any(other.title in message and str(location) in message for message in messages)


def test_reopening_a_cancelled_run_without_clashes_opens_it():
    training = run()
    give(training, UserFactory(roles=["trainer"]))
    cancel(training)
    assert scheduling.training_update(training=training, status=TrainingStatus.OPEN).status == TrainingStatus.OPEN


def test_cancelling_a_run_cancels_its_waiting_messages():
    training = run()
    enrolled = EnrolmentFactory(training=training)
    reminders_schedule_for_enrolment(enrolment=enrolled)
    cancel(training)
    pending = ScheduledMessage.objects.filter(enrolment=enrolled, status=MessageStatus.PENDING)
    assert list(pending.values_list("kind", flat=True)) == [MessageKind.TRAINING_CANCELLED]


def test_cancelling_a_run_cancels_its_enrolments_and_tells_the_people_once(django_capture_on_commit_callbacks):
    training = run(capacity=1)
    enrolled = EnrolmentFactory(training=training, person__email="enrolled@example.org")
    waiting = EnrolmentFactory(
        training=training, status=EnrolmentStatus.WAITLISTED, waitlisted_at=timezone.now(),
        person__email="waiting@example.org",
    )  # fmt: skip
    left = EnrolmentFactory(training=training, status=EnrolmentStatus.CANCELLED, person__email="left@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        cancel(training)
        with pytest.raises(ValidationError):
            cancel(training)
    assert mail.outbox == []  # the notices wait for the time to undo
    with time_machine.travel(timezone.now() + UNDO_WINDOW + timedelta(seconds=1)):
        messages_send_due()
        messages_send_due()
    assert set(training.enrolments.values_list("status", flat=True)) == {EnrolmentStatus.CANCELLED}
    assert sorted(message.to[0] for message in mail.outbox) == ["enrolled@example.org", "waiting@example.org"]
    sent = ScheduledMessage.objects.filter(kind=MessageKind.TRAINING_CANCELLED, status=MessageStatus.SENT)
    assert set(sent.values_list("enrolment", flat=True)) == {enrolled.pk, waiting.pk}
    assert not ScheduledMessage.objects.filter(enrolment=left).exists()


def test_advance_statuses_moves_runs_along_and_is_idempotent():
    starting = run(first_day=0)
    Meeting.objects.filter(training=starting, number=1).update(starts_at=at(0, 0) - timedelta(hours=1))
    finished = run(first_day=-60, status="running")
    full_and_past = run(first_day=-60, status="full")
    future = run(first_day=10)
    draft_past = run(first_day=-60, status="draft")
    assert advance_statuses.apply().get() == 4
    assert advance_statuses.apply().get() == 0
    statuses = {t.pk: t.status for t in Training.objects.all()}
    assert statuses == {
        starting.pk: "running",
        finished.pk: "completed",
        full_and_past.pk: "completed",
        future.pk: "open",
        draft_past.pk: "draft",
    }


# --- pages and permissions --------------------------------------------------------------------


def test_trainer_sees_only_the_runs_they_give(client):
    trainer = UserFactory(roles=["trainer"])
    mine, _theirs = run(), run()
    mine.trainers.add(trainer)
    client.force_login(trainer)
    response = client.get(reverse("trainings:training_list"))
    assert list(response.context["object_list"]) == [mine]
    assert client.get(reverse("trainings:training_detail", args=[mine.pk])).status_code == 200


def test_trainer_of_another_run_gets_404_on_its_detail(client):
    trainer = UserFactory(roles=["trainer"])
    run().trainers.add(trainer)
    other = run()
    client.force_login(trainer)
    assert client.get(reverse("trainings:training_detail", args=[other.pk])).status_code == 404


def test_trainer_may_not_change_a_run(client):
    trainer = UserFactory(roles=["trainer"])
    training = run()
    training.trainers.add(trainer)
    client.force_login(trainer)
    assert client.get(reverse("trainings:training_update", args=[training.pk])).status_code == 403
    assert client.get(reverse("trainings:meetings_update", args=[training.pk])).status_code == 403
    assert client.post(reverse("trainings:meeting_cancel", args=[meeting(training, 1).pk])).status_code == 403


def test_ambassador_gets_403_on_the_list(client):
    client.force_login(UserFactory(roles=["ambassador"]))
    assert client.get(reverse("trainings:training_list")).status_code == 403
    assert client.get(reverse("trainings:training_detail", args=[run().pk])).status_code == 403


def test_list_filters_by_status_and_period(staff_client):
    early, _late = run(first_day=10), run(first_day=100)
    draft = run(first_day=10, status="draft")
    day = timezone.localdate()
    response = staff_client.get(
        reverse("trainings:training_list"),
        {
            "period_after": (day + timedelta(days=5)).isoformat(),
            "period_before": (day + timedelta(days=12)).isoformat(),
        },
    )
    assert set(response.context["object_list"]) == {early, draft}
    response = staff_client.get(reverse("trainings:training_list"), {"status": "draft"})
    assert list(response.context["object_list"]) == [draft]


def test_detail_shows_counts_per_enrolment_status(staff_client):
    training = run()
    EnrolmentFactory.create_batch(2, training=training)
    EnrolmentFactory(training=training, status=EnrolmentStatus.WAITLISTED)
    response = staff_client.get(reverse("trainings:training_detail", args=[training.pk]))
    counts = dict(response.context["status_counts"])
    assert counts[EnrolmentStatus.REGISTERED.label] == 2
    assert counts[EnrolmentStatus.WAITLISTED.label] == 1
    assert response.context["places_held"] == 2


def test_new_location_returns_to_the_page_that_asked(staff_client):
    location_region = LocationFactory().region
    back = reverse("trainings:training_create")
    response = staff_client.post(
        reverse("trainings:location_create") + f"?next={back}",
        {"name": "Buurthuis De Linge", "city": "Geldermalsen", "region": str(location_region.pk)},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(back + "?location=")


@pytest.mark.parametrize("rows", [5, 200])
def test_list_runs_fixed_queries(staff_client, django_assert_num_queries, rows):
    location = LocationFactory()
    host = OrganisationFactory()
    for number in range(rows):
        TrainingFactory(
            meetings=1, meetings__location=location, meetings__first_meeting=at(number), host_organisation=host
        )
    # The user; the count, the regions of the filter, the page of runs, their hosts.
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("trainings:training_list"))
    assert len(response.context["object_list"]) == min(rows, 25)


# --- the host organisation, searched by name ---


def create_post(staff_client, **fields):
    location = LocationFactory()
    day = timezone.localdate() + timedelta(days=21)
    data = {
        "title": "Mentorwijs Buren",
        "variant": "standard",
        "region": str(location.region_id),
        "capacity": "15",
        "first_meeting_date": day.isoformat(),
        "first_meeting_start": "17:30",
        "first_meeting_end": "20:30",
        "location": str(location.pk),
        **fields,
    }
    return staff_client.post(reverse("trainings:training_create"), data)


def test_the_host_picked_from_the_search_is_stored(staff_client):
    host = OrganisationFactory(name="Fruitbedrijf De Bongerd")
    create_post(staff_client, host_organisation=str(host.pk), host_organisation_name="Fruitbedrijf De Bongerd")
    assert Training.objects.get(title="Mentorwijs Buren").host_organisation == host


def test_without_the_script_a_name_that_matches_one_organisation_is_taken(staff_client):
    host = OrganisationFactory(name="Fruitbedrijf De Bongerd")
    create_post(staff_client, host_organisation_name="fruitbedrijf de bongerd")
    assert Training.objects.get(title="Mentorwijs Buren").host_organisation == host


@pytest.mark.parametrize("name", ["Onbekend Bedrijf", "Bakkerij"])
def test_a_host_name_that_is_unknown_or_ambiguous_is_refused_and_nothing_saved(staff_client, name):
    OrganisationFactory.create_batch(2, name="Bakkerij")
    response = create_post(staff_client, host_organisation_name=name)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["host_organisation_name"]
    assert not Training.objects.filter(title="Mentorwijs Buren").exists()


def test_a_picked_host_whose_name_was_changed_afterwards_is_not_taken(staff_client):
    host = OrganisationFactory(name="Fruitbedrijf De Bongerd")
    response = create_post(staff_client, host_organisation=str(host.pk), host_organisation_name="Iets anders")
    assert list(response.context["form"].errors) == ["host_organisation_name"]


def test_the_edit_page_shows_the_host_and_empty_name_removes_it(staff_client):
    host = OrganisationFactory(name="Fruitbedrijf De Bongerd")
    training = run(host_organisation=host)
    url = reverse("trainings:training_update", args=[training.pk])
    form = staff_client.get(url).context["form"]
    assert (form.initial["host_organisation"], form.initial["host_organisation_name"]) == (host.pk, host.name)
    data = {
        "title": training.title,
        "variant": training.variant,
        "region": str(training.region_id),
        "capacity": "15",
        "status": training.status,
        "host_organisation": str(host.pk),
        "host_organisation_name": "",
    }
    assert staff_client.post(url, data).status_code == 302
    training.refresh_from_db()
    assert training.host_organisation is None


@pytest.mark.parametrize("rows", [5, 200])
def test_create_page_runs_fixed_queries_however_many_organisations(staff_client, django_assert_num_queries, rows):
    OrganisationFactory.create_batch(rows)
    LocationFactory()
    with django_assert_num_queries(3):
        response = staff_client.get(reverse("trainings:training_create"))
    assert response.status_code == 200


# --- one lead per run -------------------------------------------------------------------------


def test_the_database_refuses_a_second_lead_on_a_run():
    training = run()
    AssignmentFactory(training=training, role="lead")
    AssignmentFactory(training=training, role="co_trainer")
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(training=training, role="lead")
    AssignmentFactory(training=run(first_day=200), role="lead")  # another run has its own lead
    assert Assignment.objects.filter(role="lead").count() == 2


def test_copying_old_trainers_makes_the_first_of_each_run_lead_and_the_others_co_trainers():
    copy = importlib.import_module("trainings.migrations.0002_assignment")
    rows = [(1, 10), (2, 20), (1, 11), (1, 12), (2, 21)]
    assert copy.roles_for(rows) == [
        (1, 10, "lead"),
        (2, 20, "lead"),
        (1, 11, "co_trainer"),
        (1, 12, "co_trainer"),
        (2, 21, "co_trainer"),
    ]


def test_the_constraint_migration_first_demotes_every_lead_of_a_run_but_the_first():
    demote = importlib.import_module("trainings.migrations.0003_assignment_one_lead_per_run")
    assert demote.extra_leads([(5, 1), (6, 2), (7, 1), (9, 1), (10, 3)]) == [7, 9]
