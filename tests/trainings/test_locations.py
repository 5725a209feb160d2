"""The locations pages (staff): list with search and region, add, correct, archive, bring back,
and delete only what no meeting used; archived locations are not offered for new meetings."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Region
from tests.factories import LocationFactory, TrainingFactory, UserFactory
from trainings.forms.scheduling import MeetingFormSet, TrainingCreateForm
from trainings.models import Location, Meeting, Training
from trainings.services import locations, scheduling

pytestmark = pytest.mark.django_db


def at(days: int, hour: int = 18):
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, 0)))


def region(name="Rivierenland"):
    return Region.objects.get(name=name)


def other_region():
    return Region.objects.exclude(name="Rivierenland").order_by("name").first()


def listed(response) -> list[str]:
    return [location.name for location in response.context["object_list"]]


# --- the list ---------------------------------------------------------------------------------


def test_list_searches_name_and_place_and_filters_by_region(staff_client):
    LocationFactory(name="Buurthuis De Linge", city="Geldermalsen")
    LocationFactory(name="Stadhuis", city="Culemborg")
    LocationFactory(name="Het Lingehuis", city="Arnhem", region=other_region())
    url = reverse("trainings:location_list")
    assert sorted(listed(staff_client.get(url, {"q": "linge"}))) == ["Buurthuis De Linge", "Het Lingehuis"]
    assert listed(staff_client.get(url, {"q": "culemb"})) == ["Stadhuis"]
    assert listed(staff_client.get(url, {"q": "linge", "region": region().pk})) == ["Buurthuis De Linge"]


def test_list_shows_archived_locations_last_and_filters_them(staff_client):
    LocationFactory(name="Oud gebouw", city="Arnhem", archived_at=timezone.now())
    LocationFactory(name="Nieuw gebouw", city="Zaltbommel")
    url = reverse("trainings:location_list")
    response = staff_client.get(url)
    assert listed(response) == ["Nieuw gebouw", "Oud gebouw"]
    assert "Gearchiveerd" in response.content.decode()
    assert listed(staff_client.get(url, {"state": "active"})) == ["Nieuw gebouw"]
    assert listed(staff_client.get(url, {"state": "archived"})) == ["Oud gebouw"]


@pytest.mark.parametrize("rows", [3, 60])
def test_list_runs_fixed_queries(staff_client, django_assert_num_queries, rows):
    for number in range(rows):
        location = LocationFactory()
        if number % 3 == 0:
            TrainingFactory(meetings=2, meetings__location=location)
    # The user; the count, the regions of the filter, the page of locations with regions and meeting counts.
    with django_assert_num_queries(4):
        response = staff_client.get(reverse("trainings:location_list"))
    assert len(response.context["object_list"]) == min(rows, 25)
    first = Location.objects.filter(meetings__isnull=False).order_by("city", "name").first()
    shown = {location.pk: location.meeting_count for location in response.context["object_list"]}
    if first.pk in shown:
        assert shown[first.pk] == 2


@pytest.mark.parametrize("roles", [["trainer"], ["master_trainer"], ["ambassador"]])
def test_other_roles_are_refused(client, roles):
    location = LocationFactory()
    client.force_login(UserFactory(roles=roles, two_factor=True))
    assert client.get(reverse("trainings:location_list")).status_code == 403
    assert client.post(reverse("trainings:location_archive", args=[location.pk])).status_code == 403
    location.refresh_from_db()
    assert location.archived_at is None


# --- adding and correcting --------------------------------------------------------------------


def test_staff_add_a_location(staff_client):
    response = staff_client.post(
        reverse("trainings:location_create"),
        {"name": "Buurthuis De Linge", "address": "Lingedijk 2", "city": "Geldermalsen", "region": region().pk},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("trainings:location_list")
    location = Location.objects.get(name="Buurthuis De Linge")
    assert (location.city, location.address, location.archived_at) == ("Geldermalsen", "Lingedijk 2", None)


def test_the_same_name_in_the_same_place_is_a_field_error_in_dutch(staff_client):
    LocationFactory(name="Buurthuis De Linge", city="Geldermalsen")
    response = staff_client.post(
        reverse("trainings:location_create"),
        {"name": "buurthuis de linge", "city": "Geldermalsen", "region": region().pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Er is al een locatie met deze naam in Geldermalsen."]
    assert Location.objects.count() == 1


def test_the_same_name_in_another_place_is_fine():
    LocationFactory(name="Stadhuis", city="Tiel")
    locations.location_create(name="Stadhuis", city="Culemborg", region=region())
    assert Location.objects.filter(name="Stadhuis").count() == 2


def test_staff_correct_a_location_and_its_meetings_show_it(staff_client):
    training = TrainingFactory(meetings=1)
    location = training.meetings.get().location
    response = staff_client.post(
        reverse("trainings:location_update", args=[location.pk]),
        {"name": "Zaal De Waal", "address": "Waalkade 1", "postcode": "4001 AA", "city": "Tiel", "region": region().pk},
    )
    assert response.status_code == 302
    location.refresh_from_db()
    assert (location.name, location.postcode) == ("Zaal De Waal", "4001 AA")
    assert str(training.meetings.get().location) == "Zaal De Waal, Tiel"


def test_renaming_onto_another_location_is_a_field_error(staff_client):
    LocationFactory(name="Stadhuis", city="Tiel")
    location = LocationFactory(name="Raadhuis", city="Tiel")
    response = staff_client.post(
        reverse("trainings:location_update", args=[location.pk]),
        {"name": "Stadhuis", "city": "Tiel", "region": region().pk},
    )
    assert "name" in response.context["form"].errors
    location.refresh_from_db()
    assert location.name == "Raadhuis"


def test_a_new_location_from_a_run_form_returns_there_with_it_chosen(staff_client):
    back = reverse("trainings:training_create")
    response = staff_client.post(
        reverse("trainings:location_create") + f"?next={back}",
        {"name": "Buurthuis De Linge", "city": "Geldermalsen", "region": region().pk},
    )
    location = Location.objects.get(name="Buurthuis De Linge")
    assert response["Location"] == f"{back}?location={location.pk}"


def test_a_next_address_off_the_site_is_ignored(staff_client):
    response = staff_client.post(
        reverse("trainings:location_create") + "?next=https://evil.example/",
        {"name": "Buurthuis", "city": "Tiel", "region": region().pk},
    )
    assert response["Location"] == reverse("trainings:location_list")


# --- archiving --------------------------------------------------------------------------------


def test_archived_location_is_not_offered_for_new_runs_and_can_be_brought_back(staff_client):
    location = LocationFactory()
    staff_client.post(reverse("trainings:location_archive", args=[location.pk]))
    location.refresh_from_db()
    assert location.is_archived
    assert location not in TrainingCreateForm().fields["location"].queryset
    staff_client.post(reverse("trainings:location_restore", args=[location.pk]))
    location.refresh_from_db()
    assert not location.is_archived
    assert location in TrainingCreateForm().fields["location"].queryset


def test_a_meeting_keeps_its_archived_location_but_other_meetings_are_not_offered_it():
    training = TrainingFactory(meetings=2)
    kept = training.meetings.order_by("number").first().location
    other = LocationFactory()
    locations.location_archive(location=kept)
    locations.location_archive(location=other)
    formset = MeetingFormSet(training=training, prefix="meetings")
    existing, extra = formset.forms[0], formset.forms[-1]
    assert kept in existing.fields["location"].queryset
    assert other not in existing.fields["location"].queryset
    assert kept not in extra.fields["location"].queryset
    assert training.meetings.filter(location=kept).count() == 2


def test_the_service_refuses_a_run_at_an_archived_location():
    location = LocationFactory(archived_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        scheduling.training_create(
            title="Mentorwijs",
            region=region(),
            first_meeting_starts_at=at(20),
            first_meeting_ends_at=at(20, 21),
            location=location,
        )
    assert "location" in refused.value.message_dict
    assert not Training.objects.exists()


def test_the_service_refuses_moving_a_meeting_to_an_archived_location_but_keeps_one_there():
    training = TrainingFactory(meetings=2, meetings__first_meeting=at(20))
    first, second = training.meetings.order_by("number")
    archived_there = first.location
    locations.location_archive(location=archived_there)
    # Moving the first meeting an hour keeps it at its (archived) location.
    first.starts_at, first.ends_at = first.starts_at + timedelta(hours=1), first.ends_at + timedelta(hours=1)
    scheduling.meetings_update(training=training, meetings=[first])
    # Moving the second to another archived location is refused.
    elsewhere = LocationFactory(archived_at=timezone.now())
    second.location = elsewhere
    with pytest.raises(scheduling.MeetingsInvalid) as refused:
        scheduling.meetings_update(training=training, meetings=[second])
    assert "location" in refused.value.errors[0]
    assert Meeting.objects.get(pk=second.pk).location == archived_there


# --- deleting ---------------------------------------------------------------------------------


def test_an_unused_location_can_be_deleted(staff_client):
    location = LocationFactory()
    page = staff_client.get(reverse("trainings:location_delete", args=[location.pk]))
    assert page.context["in_use"] is False
    response = staff_client.post(reverse("trainings:location_delete", args=[location.pk]))
    assert response.status_code == 302
    assert not Location.objects.filter(pk=location.pk).exists()


def test_a_location_in_use_is_never_deleted(staff_client):
    training = TrainingFactory(meetings=1)
    location = training.meetings.get().location
    page = staff_client.get(reverse("trainings:location_delete", args=[location.pk]))
    assert page.context["in_use"] is True
    assert b'method="post"' not in page.content.split(b"<main")[-1]
    response = staff_client.post(reverse("trainings:location_delete", args=[location.pk]), follow=True)
    assert Location.objects.filter(pk=location.pk).exists()
    assert "archiveer hem" in response.content.decode()
    with pytest.raises(ValidationError):
        locations.location_delete(location=location)


def test_a_location_with_only_cancelled_meetings_is_in_use_too():
    training = TrainingFactory(meetings=1)
    training.meetings.update(status="cancelled")
    with pytest.raises(ValidationError):
        locations.location_delete(location=training.meetings.get().location)
