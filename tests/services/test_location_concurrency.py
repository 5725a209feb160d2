"""Row locks on PostgreSQL for locations: two staff booking one location for the same time at the
same moment never both get it."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dissemination.models import Region
from tests.factories import LocationFactory, TrainingFactory
from tests.services.threads import at_once
from trainings.enums import MeetingStatus
from trainings.models import Meeting, Training
from trainings.services import scheduling


@pytest.fixture(autouse=True)
def region(transactional_db):
    """transactional_db empties the tables after each test, the regions of the data migration too."""
    return Region.objects.get_or_create(name="Rivierenland")[0]


def at(days: int, hour: int = 18):
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, 0)))


def booked(location) -> list[tuple]:
    return sorted(
        Meeting.objects.filter(location=location, status=MeetingStatus.SCHEDULED).values_list(
            "training__title", "number"
        )
    )


def test_two_runs_created_at_once_at_one_location_and_time_book_it_once(region):
    location = LocationFactory(region=region)

    def create(title):
        return scheduling.training_create(
            title=title,
            region=region,
            first_meeting_starts_at=at(30),
            first_meeting_ends_at=at(30, 21),
            location=location,
        )

    outcomes = at_once(create, ["Tiel", "Culemborg"])

    created = [outcome for outcome in outcomes.values() if isinstance(outcome, Training)]
    refused = [outcome for outcome in outcomes.values() if isinstance(outcome, ValidationError)]
    assert (len(created), len(refused)) == (1, 1), outcomes
    assert list(refused[0].message_dict) == ["location"]
    assert list(Training.objects.values_list("title", flat=True)) == [created[0].title]
    assert booked(location) == [(created[0].title, number) for number in range(1, 6)]


def test_two_runs_moving_a_meeting_at_once_onto_one_location_and_time_book_it_once(region):
    location = LocationFactory(region=region)
    runs = [TrainingFactory(title=title, region=region, meetings=5) for title in ("Tiel", "Culemborg")]

    def move(training):
        first = training.meetings.get(number=1)
        first.location = location
        return scheduling.meetings_update(training=training, meetings=[first])

    outcomes = at_once(move, runs)

    moved = [training for training, outcome in outcomes.items() if isinstance(outcome, list)]
    refused = [outcome for outcome in outcomes.values() if isinstance(outcome, scheduling.MeetingsInvalid)]
    assert (len(moved), len(refused)) == (1, 1), outcomes
    assert [list(found) for found in refused[0].errors] == [["location"]]
    assert booked(location) == [(moved[0].title, 1)]
