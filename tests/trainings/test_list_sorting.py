"""Sorting and searching the training list and the locations (issue 17, lists)."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Region
from tests.factories import LocationFactory, MeetingFactory, OrganisationFactory, TrainingFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "trainings:training_list"


def at(days: int):
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(18, 0)))


@pytest.fixture
def runs(db):
    """Three runs: titles, first meetings, regions and statuses each in a different order."""
    achterhoek, flevoland = Region.objects.get(name="Achterhoek"), Region.objects.get(name="Flevoland")
    rivierenland = Region.objects.get(name="Rivierenland")
    beta = TrainingFactory(title="beta", region=rivierenland, status="running")
    alpha = TrainingFactory(title="Alpha", region=flevoland, status="draft")
    gamma = TrainingFactory(title="gamma", region=achterhoek, status="open")
    MeetingFactory(training=beta, starts_at=at(-7), location=LocationFactory(name="De Schuur"))
    MeetingFactory(training=alpha, starts_at=at(30))
    MeetingFactory(training=gamma, starts_at=at(10))
    return {"alpha": alpha, "beta": beta, "gamma": gamma}


def titles(client, **query):
    response = client.get(reverse(LIST), query)
    assert response.status_code == 200
    return [training.title for training in response.context["object_list"]]


def test_without_a_sort_the_latest_first_meeting_comes_first(staff_client, runs):
    assert titles(staff_client) == ["Alpha", "gamma", "beta"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["Alpha", "beta", "gamma"]),  # without regard to case
        ("-title", ["gamma", "beta", "Alpha"]),
        ("starts", ["beta", "gamma", "Alpha"]),
        ("-starts", ["Alpha", "gamma", "beta"]),
        ("region", ["gamma", "Alpha", "beta"]),  # Achterhoek, Flevoland, Rivierenland
        ("-region", ["beta", "Alpha", "gamma"]),
        ("status", ["Alpha", "gamma", "beta"]),  # draft, open, running: the order of a run's life
        ("-status", ["beta", "gamma", "Alpha"]),
    ],
)
def test_a_column_sorts_the_runs_both_ways(staff_client, runs, sort, expected):
    assert titles(staff_client, sort=sort) == expected


def test_a_run_without_meetings_comes_last_both_ways(staff_client, runs):
    TrainingFactory(title="delta")
    assert titles(staff_client, sort="starts")[-1] == "delta"
    assert titles(staff_client, sort="-starts")[-1] == "delta"


def test_sorting_keeps_the_filters(staff_client, runs):
    assert titles(staff_client, sort="-title", status="draft") == ["Alpha"]


def test_an_unknown_sort_keeps_the_default_order(staff_client, runs):
    assert titles(staff_client, sort="capacity") == ["Alpha", "gamma", "beta"]


def test_the_headers_link_to_the_other_direction_and_keep_the_query(staff_client, runs):
    html = staff_client.get(reverse(LIST), {"sort": "title", "status": "draft", "page": "1"}).content.decode()
    assert '<th scope="col" aria-sort="ascending"><a' in html
    assert 'href="?sort=-title&amp;status=draft" data-sort="title"' in html
    assert 'href="?sort=region&amp;status=draft" data-sort="region"' in html
    # Unsorted, the header of the query's own order says so.
    html = staff_client.get(reverse(LIST)).content.decode()
    assert 'aria-sort="descending"><a class="text-nowrap fw-semibold" href="?sort=starts"' in html


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("alp", ["Alpha"]),  # title
        ("achter", ["gamma"]),  # region
        ("schuur", ["beta"]),  # a meeting's location
        ("de schuur", ["beta"]),
        ("nergens", []),
    ],
)
def test_the_search_finds_runs_by_title_region_or_location(staff_client, runs, q, expected):
    assert titles(staff_client, q=q) == expected


def test_the_search_only_narrows_what_a_trainer_may_see(client, runs):
    trainer = UserFactory(roles=["trainer"])
    client.force_login(trainer)
    visible = titles(client)
    assert "Alpha" not in visible  # a draft is not a trainer's to browse
    assert titles(client, q="alp") == []


@pytest.mark.parametrize("rows", [3, 60])
def test_a_sorted_and_searched_list_runs_fixed_queries(staff_client, django_assert_num_queries, rows):
    location, host = LocationFactory(), OrganisationFactory()
    for number in range(rows):
        TrainingFactory(
            title=f"Mentorwijs {number}",
            meetings=1,
            meetings__location=location,
            meetings__first_meeting=at(number),
            host_organisation=host,
        )
    # As the plain list: the user; the count, the regions of the filter, the page of runs, their hosts.
    with django_assert_num_queries(5):
        response = staff_client.get(reverse(LIST), {"sort": "-region", "q": "mentorwijs"})
    assert len(response.context["object_list"]) == min(rows, 25)


def test_locations_sort_by_name_and_city(staff_client):
    LocationFactory(name="b-zaal", city="Zutphen")
    LocationFactory(name="A-zaal", city="Arnhem")
    LocationFactory(name="c-zaal", city="Tiel")

    def names(**query):
        return [
            location.name
            for location in staff_client.get(reverse("trainings:location_list"), query).context["object_list"]
        ]

    assert names() == ["A-zaal", "c-zaal", "b-zaal"]  # the query's order: by city
    assert names(sort="name") == ["A-zaal", "b-zaal", "c-zaal"]
    assert names(sort="-name") == ["c-zaal", "b-zaal", "A-zaal"]
    assert names(sort="-city") == ["b-zaal", "c-zaal", "A-zaal"]
