from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests.factories import EnrolmentFactory, LocationFactory, TrainingFactory, UserFactory
from trainings.calendar import ics_for_meetings, participant_feed_token, trainer_feed_token
from trainings.enums import EnrolmentStatus
from trainings.services import scheduling

pytestmark = pytest.mark.django_db


def at(days: int, hour: int = 18):
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, 0)))


def event_uids(response) -> list[str]:
    calendar = Calendar.from_ical(response.content)
    return sorted(str(event["uid"]) for event in calendar.walk("VEVENT"))


def uids(training) -> list[str]:
    return sorted(f"meeting-{pk}@mentorwijs.nl" for pk in training.meetings.values_list("pk", flat=True))


# --- feeds ------------------------------------------------------------------------------------


def test_public_feed_has_the_meetings_of_public_runs_only(client):
    public = TrainingFactory(status="open", meetings=5)
    running = TrainingFactory(status="running", meetings=2)
    TrainingFactory(status="draft", meetings=5)
    TrainingFactory(status="cancelled", meetings=5)
    TrainingFactory(status="completed", meetings=5)
    response = client.get(reverse("trainings:public_feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert event_uids(response) == sorted(uids(public) + uids(running))


def test_public_feed_names_no_participants_or_trainers(client):
    trainer = UserFactory(roles=["trainer"], first_name="Trudy", last_name="Trainersma")
    training = TrainingFactory(status="open", meetings=1)
    training.trainers.add(trainer)
    # A name no feed text can hold by chance (a random last name such as "Bos" could).
    enrolment = EnrolmentFactory(training=training, person__last_name="Deelnemersma")
    content = client.get(reverse("trainings:public_feed")).content.decode()
    for private in [trainer.email, "Trainersma", enrolment.person.email, enrolment.person.last_name, enrolment.token]:
        assert private not in content


def test_trainer_feed_has_only_the_runs_they_give(client):
    trainer = UserFactory(roles=["trainer"])
    mine = TrainingFactory(status="open", meetings=5)
    draft = TrainingFactory(status="draft", meetings=2)
    TrainingFactory(status="open", meetings=5)
    mine.trainers.add(trainer)
    draft.trainers.add(trainer)
    response = client.get(reverse("trainings:trainer_feed", args=[trainer_feed_token(trainer)]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert event_uids(response) == sorted(uids(mine) + uids(draft))


def test_trainer_feed_token_is_bound_to_its_own_purpose(client):
    from django.core import signing

    trainer = UserFactory(roles=["trainer"])
    other_purpose = signing.dumps(trainer.pk, salt="mentorwijs.accounts.invitation")
    assert client.get(reverse("trainings:trainer_feed", args=[other_purpose])).status_code == 404
    assert client.get(reverse("trainings:trainer_feed", args=["not-a-token"])).status_code == 404


def test_participant_feed_has_their_runs_meetings(client):
    training = TrainingFactory(status="open", meetings=5)
    TrainingFactory(status="open", meetings=5)
    enrolment = EnrolmentFactory(training=training)
    response = client.get(reverse("trainings:participant_feed", args=[participant_feed_token(enrolment)]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert event_uids(response) == uids(training)


def test_participant_feed_is_empty_once_they_cancelled(client):
    enrolment = EnrolmentFactory(training=TrainingFactory(status="open", meetings=5), status=EnrolmentStatus.CANCELLED)
    response = client.get(reverse("trainings:participant_feed", args=[participant_feed_token(enrolment)]))
    assert event_uids(response) == []


def test_participant_feed_with_a_bad_token_is_404(client):
    assert client.get(reverse("trainings:participant_feed", args=["nope"])).status_code == 404


# --- calendar page ----------------------------------------------------------------------------


def test_month_view_puts_meetings_on_their_days(staff_client):
    first = at(0).replace(day=10, hour=18)
    training = TrainingFactory(status="open", meetings=2, meetings__first_meeting=first)
    day = first.date()
    response = staff_client.get(reverse("trainings:calendar"), {"view": "month", "date": day.isoformat()})
    assert response.status_code == 200
    cells = {cell["date"]: cell["meetings"] for week in response.context["weeks"] for cell in week}
    assert [m.number for m in cells[day]] == [1]
    assert [m.number for m in cells[day + timedelta(weeks=1)]] == [2]
    assert all(len(week) == 7 for week in response.context["weeks"])
    assert response.context["weeks"][0][0]["date"].weekday() == 0
    assert response.context["previous"].month == (day.replace(day=1) - timedelta(days=1)).month
    assert {m.training for m in cells[day]} == {training}


def test_week_view_shows_monday_to_sunday(staff_client):
    day = timezone.localdate()
    response = staff_client.get(reverse("trainings:calendar"), {"view": "week", "date": day.isoformat()})
    weeks = response.context["weeks"]
    assert len(weeks) == 1
    assert weeks[0][0]["date"] == day - timedelta(days=day.weekday())
    assert response.context["following"] == weeks[0][0]["date"] + timedelta(weeks=1)


def test_calendar_shows_trainers_only_their_runs_and_their_feed_link(client):
    trainer = UserFactory(roles=["trainer"])
    first = at(1)
    mine = TrainingFactory(status="open", meetings=1, meetings__first_meeting=first)
    TrainingFactory(status="open", meetings=1, meetings__first_meeting=first)
    mine.trainers.add(trainer)
    client.force_login(trainer)
    response = client.get(reverse("trainings:calendar"), {"view": "week", "date": first.date().isoformat()})
    shown = [m.training for week in response.context["weeks"] for cell in week for m in cell["meetings"]]
    assert shown == [mine]
    assert response.context["trainer_feed_url"].endswith(
        reverse("trainings:trainer_feed", args=[trainer_feed_token(trainer)])
    )


def test_staff_who_give_no_runs_see_no_trainer_feed_link(staff_client):
    assert staff_client.get(reverse("trainings:calendar")).context["trainer_feed_url"] is None


def test_ambassador_gets_403_on_the_calendar(client):
    client.force_login(UserFactory(roles=["ambassador"]))
    assert client.get(reverse("trainings:calendar")).status_code == 403


def test_a_bad_date_shows_the_current_month(staff_client):
    response = staff_client.get(reverse("trainings:calendar"), {"date": "2026-13-45"})
    assert response.context["day"] == timezone.localdate()


@pytest.mark.parametrize("rows", [5, 200])
def test_calendar_runs_fixed_queries(staff_client, django_assert_num_queries, rows):
    location = LocationFactory()
    first = at(0).replace(day=1, hour=8)
    for number in range(rows):
        TrainingFactory(
            meetings=1, meetings__location=location, meetings__first_meeting=first + timedelta(hours=number * 3)
        )
    with django_assert_num_queries(3):
        response = staff_client.get(reverse("trainings:calendar"), {"date": first.date().isoformat()})
    shown = [m for week in response.context["weeks"] for cell in week for m in cell["meetings"]]
    assert len(shown) == rows


# --- updates in calendars ---------------------------------------------------------------------


def test_a_moved_meeting_keeps_its_uid_with_a_higher_sequence_in_a_published_calendar():
    training = TrainingFactory(status="open", meetings=2, meetings__first_meeting=at(20))
    second = training.meetings.get(number=2)
    uid = f"meeting-{second.pk}@mentorwijs.nl"

    def event_of_second():
        calendar = Calendar.from_ical(ics_for_meetings(training.meetings.order_by("number"), name="Run"))
        assert str(calendar["method"]) == "PUBLISH"
        return next(event for event in calendar.walk("VEVENT") if str(event["uid"]) == uid)

    before = event_of_second()
    second.starts_at, second.ends_at = at(28, 19), at(28, 22)
    scheduling.meetings_update(training=training, meetings=[second])
    after = event_of_second()

    assert (int(before["sequence"]), int(after["sequence"])) == (0, 1)
    assert after["dtstart"].dt == at(28, 19)


def test_feed_addresses_stay_the_same_over_time(monkeypatch):
    """A calendar app keeps the address: it must not change from one page view to the next."""
    import time

    trainer = UserFactory(roles=["trainer"])
    first = trainer_feed_token(trainer)
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert trainer_feed_token(trainer) == first
