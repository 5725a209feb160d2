from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import EnrolmentFactory, TrainingFactory, UserFactory
from trainings.enums import EnrolmentStatus, MeetingStatus, Variant
from trainings.models import Attendance, Certificate, CompletionRule
from trainings.queries.attendance import catch_up_candidates
from trainings.services.attendance import attendance_catch_up, attendance_record, enrolment_complete_if_due

pytestmark = pytest.mark.django_db


def past_run(**kwargs):
    """A running run whose five weekly meetings all lie in the past."""
    first = timezone.now() - timedelta(weeks=6)
    return TrainingFactory(meetings=5, meetings__first_meeting=first, status="running", **kwargs)


def meetings_of(run):
    return list(run.meetings.order_by("number"))


def attend(enrolment, meetings, present=True, by=None):
    for meeting in meetings:
        attendance_record(meeting=meeting, entries=[(enrolment, present, "")], by=by)
    enrolment.refresh_from_db()


@pytest.fixture
def run():
    return past_run()


@pytest.fixture
def trainer(run):
    user = UserFactory(roles=["trainer"], last_name="Trainer")  # a surname no participant here has
    run.trainers.add(user)
    return user


# --- completion ---


def test_present_at_four_of_five_meetings_completes_the_training(run):
    enrolment = EnrolmentFactory(training=run)
    attend(enrolment, meetings_of(run)[:4])
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert enrolment.completed_at is not None
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


def test_present_at_three_of_five_meetings_does_not_complete(run):
    enrolment = EnrolmentFactory(training=run)
    meetings = meetings_of(run)
    attend(enrolment, meetings[:3])
    attend(enrolment, meetings[3:], present=False)
    assert enrolment.status == EnrolmentStatus.REGISTERED
    assert enrolment.completed_at is None
    assert not Certificate.objects.exists()


def test_the_same_meeting_twice_counts_once(run):
    enrolment = EnrolmentFactory(training=run)
    meetings = meetings_of(run)
    attend(enrolment, [meetings[0], meetings[0], meetings[1], meetings[2]])
    assert enrolment.status == EnrolmentStatus.REGISTERED
    assert Attendance.objects.filter(enrolment=enrolment).count() == 3


def test_a_caught_up_meeting_counts_towards_completion(run):
    other = past_run()
    enrolment = EnrolmentFactory(training=run)
    own = meetings_of(run)
    attend(enrolment, own[:3])
    attend(enrolment, own[3:4], present=False)
    row = attendance_catch_up(enrolment=enrolment, meeting=meetings_of(other)[3], by=None)
    enrolment.refresh_from_db()
    assert (row.present, row.catches_up) == (True, own[3])
    assert enrolment.status == EnrolmentStatus.COMPLETED


def set_rule(variant, meetings_required):
    CompletionRule.objects.update_or_create(variant=variant, defaults={"meetings_required": meetings_required})


def test_every_variant_has_a_rule_of_four_meetings_after_migrating():
    assert dict(CompletionRule.objects.values_list("variant", "meetings_required")) == {
        variant: 4 for variant in Variant.values
    }


def test_completion_threshold_follows_the_rule_per_variant():
    set_rule(Variant.INTERNSHIP, 2)
    internship = past_run(variant=Variant.INTERNSHIP)
    standard = past_run(variant=Variant.STANDARD)
    intern = EnrolmentFactory(training=internship)
    supervisor = EnrolmentFactory(training=standard)
    attend(intern, meetings_of(internship)[:2])
    attend(supervisor, meetings_of(standard)[:2])
    assert intern.status == EnrolmentStatus.COMPLETED
    assert supervisor.status == EnrolmentStatus.REGISTERED


def test_when_staff_cancel_meetings_all_remaining_meetings_are_enough():
    run = past_run(variant=Variant.STANDARD)
    first, second, third, fourth, fifth = meetings_of(run)
    run.meetings.filter(pk__in=[fourth.pk, fifth.pk]).update(status=MeetingStatus.CANCELLED)
    enrolment = EnrolmentFactory(training=run)
    attend(enrolment, [first, second])
    assert enrolment.status == EnrolmentStatus.REGISTERED
    attend(enrolment, [third])
    assert enrolment.status == EnrolmentStatus.COMPLETED


def test_a_variant_without_a_rule_needs_four():
    CompletionRule.objects.filter(variant=Variant.IN_COMPANY).delete()
    run = past_run(variant=Variant.IN_COMPANY)
    enrolment = EnrolmentFactory(training=run)
    attend(enrolment, meetings_of(run)[:3])
    assert enrolment.status == EnrolmentStatus.REGISTERED
    attend(enrolment, meetings_of(run)[3:4])
    assert enrolment.status == EnrolmentStatus.COMPLETED


def test_a_rule_of_five_needs_every_meeting():
    set_rule(Variant.STANDARD, 5)
    run = past_run(variant=Variant.STANDARD)
    enrolment = EnrolmentFactory(training=run)
    attend(enrolment, meetings_of(run)[:4])
    assert enrolment.status == EnrolmentStatus.REGISTERED
    attend(enrolment, meetings_of(run)[4:])
    assert enrolment.status == EnrolmentStatus.COMPLETED


def test_completing_is_idempotent(run):
    enrolment = EnrolmentFactory(training=run)
    attend(enrolment, meetings_of(run)[:4])
    completed_at = enrolment.completed_at
    assert enrolment_complete_if_due(enrolment=enrolment) is False
    attend(enrolment, meetings_of(run)[4:])
    assert enrolment.completed_at == completed_at
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


def test_a_cancelled_enrolment_never_completes(run):
    enrolment = EnrolmentFactory(training=run)
    attend(enrolment, meetings_of(run)[:4])
    cancelled = EnrolmentFactory(training=run, status=EnrolmentStatus.CANCELLED)
    assert enrolment_complete_if_due(enrolment=cancelled) is False


# --- recording rules ---


def test_recording_again_updates_the_same_row(run):
    enrolment = EnrolmentFactory(training=run)
    meeting = meetings_of(run)[0]
    user = UserFactory(roles=["trainer"])
    attendance_record(meeting=meeting, entries=[(enrolment, False, "Ziek")], by=None)
    attendance_record(meeting=meeting, entries=[(enrolment, True, "")], by=user)
    row = Attendance.objects.get(enrolment=enrolment, meeting=meeting)
    assert (row.present, row.absence_reason, row.recorded_by, row.catches_up) == (True, "", user, None)


def test_a_reason_with_present_is_refused(run):
    enrolment = EnrolmentFactory(training=run)
    with pytest.raises(ValidationError) as error:
        attendance_record(meeting=meetings_of(run)[0], entries=[(enrolment, True, "Ziek")], by=None)
    assert "absence_reason" in error.value.message_dict
    assert not Attendance.objects.exists()


def test_a_cancelled_meeting_is_refused(run):
    meeting = meetings_of(run)[0]
    meeting.status = MeetingStatus.CANCELLED
    meeting.save()
    with pytest.raises(ValidationError):
        attendance_record(meeting=meeting, entries=[(EnrolmentFactory(training=run), True, "")], by=None)
    assert not Attendance.objects.exists()


def test_a_meeting_more_than_a_day_ahead_is_refused_but_tomorrow_is_not():
    run = TrainingFactory(meetings=2, meetings__first_meeting=timezone.now() + timedelta(hours=20))
    enrolment = EnrolmentFactory(training=run)
    tomorrow, next_week = meetings_of(run)
    attendance_record(meeting=tomorrow, entries=[(enrolment, True, "")], by=None)
    with pytest.raises(ValidationError):
        attendance_record(meeting=next_week, entries=[(enrolment, True, "")], by=None)
    assert list(Attendance.objects.values_list("meeting", flat=True)) == [tomorrow.pk]


def test_one_invalid_entry_saves_nothing(run):
    ours = EnrolmentFactory.create_batch(3, training=run)
    stranger = EnrolmentFactory(training=past_run())
    entries = [(enrolment, True, "") for enrolment in ours] + [(stranger, True, "")]
    with pytest.raises(ValidationError):
        attendance_record(meeting=meetings_of(run)[0], entries=entries, by=None)
    assert not Attendance.objects.exists()


def test_someone_who_left_the_run_is_refused(run):
    left = EnrolmentFactory(training=run, status=EnrolmentStatus.CANCELLED)
    with pytest.raises(ValidationError):
        attendance_record(meeting=meetings_of(run)[0], entries=[(left, True, "")], by=None)


# --- catching up ---


def test_catch_up_in_another_variant_is_refused(run):
    other = past_run(variant=Variant.INTERNSHIP)
    enrolment = EnrolmentFactory(training=run)
    with pytest.raises(ValidationError) as error:
        attendance_catch_up(enrolment=enrolment, meeting=meetings_of(other)[2], by=None)
    assert "enrolment" in error.value.message_dict
    assert not Attendance.objects.exists()


def test_catch_up_of_a_meeting_attended_is_refused(run):
    other = past_run()
    enrolment = EnrolmentFactory(training=run)
    attend(enrolment, meetings_of(run)[2:3])
    with pytest.raises(ValidationError):
        attendance_catch_up(enrolment=enrolment, meeting=meetings_of(other)[2], by=None)


def test_a_meeting_is_caught_up_only_once(run):
    enrolment = EnrolmentFactory(training=run)
    attendance_catch_up(enrolment=enrolment, meeting=meetings_of(past_run())[1], by=None)
    with pytest.raises(ValidationError):
        attendance_catch_up(enrolment=enrolment, meeting=meetings_of(past_run())[1], by=None)
    assert Attendance.objects.filter(enrolment=enrolment).count() == 1


def test_catch_up_in_the_own_run_is_refused(run):
    enrolment = EnrolmentFactory(training=run)
    with pytest.raises(ValidationError):
        attendance_catch_up(enrolment=enrolment, meeting=meetings_of(run)[1], by=None)


def test_a_catch_up_guest_can_be_marked_on_the_host_meeting(run):
    other = past_run()
    guest = EnrolmentFactory(training=other)
    meeting = meetings_of(run)[2]
    attendance_catch_up(enrolment=guest, meeting=meeting, by=None)
    attendance_record(meeting=meeting, entries=[(guest, False, "Toch verhinderd")], by=None)
    row = Attendance.objects.get(enrolment=guest, meeting=meeting)
    assert (row.present, row.absence_reason, row.catches_up) == (False, "Toch verhinderd", meetings_of(other)[2])


# --- the attendance page ---


def sheet_url(meeting):
    return reverse("trainings:meeting_attendance", kwargs={"pk": meeting.pk})


def test_trainer_of_the_run_sees_participants_and_guests(client, run, trainer):
    meeting = meetings_of(run)[1]
    ours = EnrolmentFactory(training=run)
    EnrolmentFactory(training=run, status=EnrolmentStatus.WAITLISTED)
    guest = EnrolmentFactory(training=past_run())
    attendance_catch_up(enrolment=guest, meeting=meeting, by=None)
    client.force_login(trainer)
    response = client.get(sheet_url(meeting))
    assert response.status_code == 200
    assert [(row["enrolment"], row["guest"]) for row in response.context["rows"]] == [(ours, False), (guest, True)]
    content = response.content.decode()
    assert content.count('class="btn-check"') == 4
    assert "<table" not in content


def test_staff_may_open_any_attendance_page(staff_client, run):
    assert staff_client.get(sheet_url(meetings_of(run)[0])).status_code == 200


def test_trainer_of_another_run_gets_404(client, run):
    other_trainer = UserFactory(roles=["trainer"])
    past_run().trainers.add(other_trainer)
    client.force_login(other_trainer)
    assert client.get(sheet_url(meetings_of(run)[0])).status_code == 404
    assert client.post(sheet_url(meetings_of(run)[0])).status_code == 404


def test_ambassador_gets_403(client, run):
    client.force_login(UserFactory(roles=["ambassador"]))
    assert client.get(sheet_url(meetings_of(run)[0])).status_code == 403


@pytest.mark.parametrize("rows", [5, 200])
def test_attendance_page_runs_fixed_queries(client, run, trainer, django_assert_num_queries, rows):
    meeting = meetings_of(run)[0]
    enrolments = EnrolmentFactory.create_batch(rows, training=run)
    Attendance.objects.bulk_create(
        [
            Attendance(enrolment=enrolment, meeting=meeting, present=False, absence_reason="Ziek")
            for enrolment in enrolments
        ]
    )
    attendance_catch_up(enrolment=EnrolmentFactory(training=past_run()), meeting=meeting, by=None)
    client.force_login(trainer)
    # The user; the meeting with its run among the runs the trainer gives (the permission); the rows
    # and the meeting's location.
    with django_assert_num_queries(5):
        response = client.get(sheet_url(meeting))
    assert len(response.context["rows"]) == rows + 1


def test_posting_the_sheet_saves_everyone_at_once(client, run, trainer):
    meeting = meetings_of(run)[0]
    present, absent, open_ = EnrolmentFactory.create_batch(3, training=run)
    client.force_login(trainer)
    response = client.post(
        sheet_url(meeting),
        {
            f"present_{present.pk}": "present",
            f"reason_{present.pk}": "typed before choosing present",
            f"present_{absent.pk}": "absent",
            f"reason_{absent.pk}": "Ziek",
            f"present_{open_.pk}": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == sheet_url(meeting)
    rows = Attendance.objects.filter(meeting=meeting).order_by("enrolment_id")
    assert [(row.enrolment, row.present, row.absence_reason, row.recorded_by) for row in rows] == [
        (present, True, "", trainer),
        (absent, False, "Ziek", trainer),
    ]


def test_a_sheet_with_one_bad_entry_saves_nothing(client, run, trainer):
    meeting = meetings_of(run)[0]
    first, second = EnrolmentFactory.create_batch(2, training=run)
    client.force_login(trainer)
    response = client.post(
        sheet_url(meeting),
        {
            f"present_{first.pk}": "present",
            f"present_{second.pk}": "absent",
            f"reason_{second.pk}": "x" * 201,
        },
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [f"reason_{second.pk}"]
    assert not Attendance.objects.exists()


def test_a_sheet_for_a_cancelled_meeting_is_refused_with_a_message(client, run, trainer):
    meeting = meetings_of(run)[0]
    meeting.status = MeetingStatus.CANCELLED
    meeting.save()
    enrolment = EnrolmentFactory(training=run)
    client.force_login(trainer)
    response = client.post(sheet_url(meeting), {f"present_{enrolment.pk}": "present"})
    assert response.status_code == 400
    assert len(response.context["form"].non_field_errors()) == 1
    assert not Attendance.objects.exists()


def test_posting_the_last_needed_meeting_completes_the_participant(client, run, trainer):
    enrolment = EnrolmentFactory(training=run)
    meetings = meetings_of(run)
    attend(enrolment, meetings[:3])
    client.force_login(trainer)
    client.post(sheet_url(meetings[3]), {f"present_{enrolment.pk}": "present"})
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED


# --- the catch-up page ---


def catch_up_url(meeting):
    return reverse("trainings:catch_up", kwargs={"pk": meeting.pk})


def test_catch_up_page_lists_who_missed_this_meeting_number_in_runs_of_the_same_variant(staff_client, run):
    meeting = meetings_of(run)[2]
    other = past_run()
    missed = EnrolmentFactory(training=other, person__last_name="Aalbers")
    attended = EnrolmentFactory(training=other, person__last_name="Bakker")
    attend(attended, meetings_of(other)[2:3])
    EnrolmentFactory(training=past_run(variant=Variant.INTERNSHIP), person__last_name="Claes")
    EnrolmentFactory(training=run, person__last_name="Dekker")
    EnrolmentFactory(training=other, status=EnrolmentStatus.CANCELLED, person__last_name="Evers")
    response = staff_client.get(catch_up_url(meeting))
    assert response.status_code == 200
    assert response.context["candidates"] == [missed]


def test_catch_up_page_searches_by_name(staff_client, run):
    other = past_run()
    jansen = EnrolmentFactory(training=other, person__first_name="Anna", person__last_name="Jansen")
    EnrolmentFactory(training=other, person__first_name="Bram", person__last_name="de Vries")
    response = staff_client.get(catch_up_url(meetings_of(run)[0]), {"q": "anna jans"})
    assert response.context["candidates"] == [jansen]


def test_a_trainer_finds_a_participant_of_another_run_only_by_their_full_name(client, run, trainer):
    meeting = meetings_of(run)[2]
    other = past_run()
    jansen = EnrolmentFactory(training=other, person__first_name="Anna", person__last_name="Jansen")
    attended = EnrolmentFactory(training=other, person__first_name="Bram", person__last_name="de Vries")
    attend(attended, meetings_of(other)[2:3])
    client.force_login(trainer)
    response = client.get(catch_up_url(meeting))
    assert response.context["candidates"] == []
    assert "Jansen" not in response.content.decode()
    for q in ["anna", "jans", "anna jans", "Jansen Anna"]:
        assert client.get(catch_up_url(meeting), {"q": q}).context["candidates"] == []
    response = client.get(catch_up_url(meeting), {"q": "  anna   JANSEN "})
    assert response.context["candidates"] == [jansen]
    # Someone who needs no catch-up stays out, also by their full name.
    assert client.get(catch_up_url(meeting), {"q": "Bram de Vries"}).context["candidates"] == []


@pytest.mark.parametrize(("roles", "browses"), [(["staff"], True), (["trainer"], False), (["staff", "trainer"], True)])
def test_who_browses_the_candidates_is_the_rules_decision(run, roles, browses):
    meeting = meetings_of(run)[2]
    jansen = EnrolmentFactory(training=past_run(), person__first_name="Anna", person__last_name="Jansen")
    user = UserFactory(roles=roles)
    assert user.has_perm("trainings.browse_catch_up_candidates") is browses
    listed = list(catch_up_candidates(meeting=meeting, user=user))
    by_word = list(catch_up_candidates(meeting=meeting, user=user, q="jans"))
    by_full_name = list(catch_up_candidates(meeting=meeting, user=user, q="Anna Jansen"))
    assert (listed, by_word, by_full_name) == (([jansen], [jansen], [jansen]) if browses else ([], [], [jansen]))


def test_the_search_by_name_is_rate_limited_per_user(client, run, trainer, settings):
    settings.CATCH_UP_SEARCHES_PER_HOUR = 3
    meeting = meetings_of(run)[2]
    jansen = EnrolmentFactory(training=past_run(), person__first_name="Anna", person__last_name="Jansen")
    client.force_login(trainer)
    assert client.get(catch_up_url(meeting)).status_code == 200  # no name typed: not counted
    for q in ["Bram de Vries", "Carla Claes", "Anna Jansen"]:
        assert client.get(catch_up_url(meeting), {"q": q}).status_code == 200
    # From another connection too: the limit is the user's.
    other_connection = Client(REMOTE_ADDR="192.0.2.9")
    other_connection.force_login(trainer)
    response = other_connection.get(catch_up_url(meeting), {"q": "Anna Jansen"})
    assert response.context["candidates"] == []
    assert list(response.context["search"].errors) == ["q"]  # said next to the search box
    # Choosing someone asks the search again: refused as well, nothing registered.
    response = client.post(f"{catch_up_url(meeting)}?q=Anna+Jansen", {"enrolment": jansen.pk})
    assert response.status_code == 400
    assert not Attendance.objects.exists()
    # Another trainer of the run still searches.
    colleague = UserFactory(roles=["trainer"])
    run.trainers.add(colleague, through_defaults={"role": "co_trainer"})
    client.force_login(colleague)
    assert client.get(catch_up_url(meeting), {"q": "Anna Jansen"}).context["candidates"] == [jansen]


def test_choosing_a_participant_registers_the_catch_up(client, run, trainer):
    meeting = meetings_of(run)[2]
    other = past_run()
    guest = EnrolmentFactory(training=other, person__first_name="Anna", person__last_name="Jansen")
    client.force_login(trainer)
    # The form posts to the page's own address, with the trainer's search in it.
    response = client.post(f"{catch_up_url(meeting)}?q=Anna+Jansen", {"enrolment": guest.pk})
    assert response.status_code == 302
    assert response["Location"] == sheet_url(meeting)
    row = Attendance.objects.get(enrolment=guest)
    assert (row.meeting, row.present, row.catches_up, row.recorded_by) == (
        meeting,
        True,
        meetings_of(other)[2],
        trainer,
    )


def test_choosing_someone_of_another_variant_is_refused(client, run, trainer):
    stranger = EnrolmentFactory(training=past_run(variant=Variant.INTERNSHIP))
    client.force_login(trainer)
    response = client.post(catch_up_url(meetings_of(run)[0]), {"enrolment": stranger.pk})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["enrolment"]
    assert not Attendance.objects.exists()


def test_catch_up_page_answers_404_to_a_trainer_of_another_run(client, run):
    other_trainer = UserFactory(roles=["trainer"])
    client.force_login(other_trainer)
    assert client.get(catch_up_url(meetings_of(run)[0])).status_code == 404


# --- a meeting that has not begun ---


def test_the_sheet_of_a_meeting_more_than_a_day_ahead_says_so_and_offers_nothing_to_fill_in(client, trainer):
    starts = timezone.now() + timedelta(days=3)
    run = TrainingFactory(meetings=2, meetings__first_meeting=starts)
    run.trainers.add(trainer)
    anna, bram = EnrolmentFactory.create_batch(2, training=run)
    meeting = meetings_of(run)[0]
    client.force_login(trainer)
    response = client.get(sheet_url(meeting))
    html = response.content.decode()
    content = html.split('id="main"')[-1] if 'id="main"' in html else html
    assert response.status_code == 200
    refusal = content.split('data-testid="attendance-refusal">')[1].split("</div>")[0]
    # It says from when: a day before the meeting, at the meeting's time.
    opens = timezone.localtime(meeting.starts_at - timedelta(days=1))
    assert f"{opens:%H:%M}" in refusal
    assert str(opens.day) in refusal
    # The participants are listed, with nothing to fill in and no save button.
    assert str(anna.person) in content
    assert str(bram.person) in content
    assert 'name="present_' not in content
    assert 'name="reason_' not in content
    assert 'data-testid="attendance-list"' not in content
    assert 'method="post" novalidate' not in content
    assert reverse("trainings:catch_up", kwargs={"pk": meeting.pk}) not in content


def test_the_sheet_of_a_meeting_later_today_can_be_filled_in_and_says_it_has_not_begun(client, trainer):
    run = TrainingFactory(meetings=1, meetings__first_meeting=timezone.now() + timedelta(hours=3))
    run.trainers.add(trainer)
    enrolment = EnrolmentFactory(training=run)
    client.force_login(trainer)
    html = client.get(sheet_url(meetings_of(run)[0])).content.decode()
    assert 'data-testid="attendance-not-begun"' in html
    assert 'data-testid="attendance-refusal"' not in html
    assert f'name="present_{enrolment.pk}"' in html


def test_the_sheet_of_a_meeting_that_has_begun_says_nothing_of_the_kind(client, run, trainer):
    EnrolmentFactory(training=run)
    client.force_login(trainer)
    html = client.get(sheet_url(meetings_of(run)[0])).content.decode()
    assert 'data-testid="attendance-not-begun"' not in html
    assert 'data-testid="attendance-refusal"' not in html
    assert 'name="present_' in html


def test_a_sheet_posted_for_a_meeting_not_yet_open_saves_nothing_and_shows_the_message(client, trainer):
    run = TrainingFactory(meetings=1, meetings__first_meeting=timezone.now() + timedelta(days=3))
    run.trainers.add(trainer)
    enrolment = EnrolmentFactory(training=run)
    client.force_login(trainer)
    response = client.post(sheet_url(meetings_of(run)[0]), {f"present_{enrolment.pk}": "present"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="attendance-refusal"' in html
    assert 'name="present_' not in html
    assert not Attendance.objects.exists()


def test_a_late_participant_is_marked_on_the_meetings_held_before_they_joined(staff_client, run, staff_user):
    first, last = meetings_of(run)[0], meetings_of(run)[-1]
    late = EnrolmentFactory(training=run, late_reason="Vervangt een collega", created_at=first.ends_at)
    rows = {row["enrolment"].pk: row for row in staff_client.get(sheet_url(first)).context["rows"]}
    assert rows[late.pk]["joined_later"] is True
    rows = {row["enrolment"].pk: row for row in staff_client.get(sheet_url(last)).context["rows"]}
    assert rows[late.pk]["joined_later"] is False
