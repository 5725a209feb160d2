from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Event, EventGuest, Person
from dissemination.services.events import (
    event_follow_up_done,
    event_invite,
    event_record_attendance,
    event_save,
    guest_remove,
)
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "ambassador": UserFactory(roles=["ambassador"]),
        "staff": UserFactory(roles=["staff"], two_factor=True),
        "trainer": UserFactory(roles=["trainer"]),
    }


def _event(**overrides) -> Event:
    values = {"kind": "conference", "title": "Slotconferentie", "date": timezone.localdate() - timedelta(days=1)}
    values.update(overrides)
    return Event.objects.create(**values)


def _persons(count: int, prefix: str = "gast") -> list[Person]:
    organisation = OrganisationFactory()
    Person.objects.bulk_create(
        Person(
            first_name="Gast", last_name=f"{prefix} {n:03}", email=f"{prefix}{n}@example.org", organisation=organisation
        )
        for n in range(count)
    )
    return list(Person.objects.filter(email__startswith=prefix).order_by("pk"))


# --- the 2017 closing conference: 77 invited, 24 attended -----------------------------------------


def test_the_closing_conference_counts_77_invited_and_24_attended(client, people):
    event = _event(date=date(2017, 11, 23))
    persons = _persons(77)
    assert event_invite(event=event, persons=persons, by=people["staff"]) == 77
    event_record_attendance(event=event, present_person_ids=[p.pk for p in persons[:24]], by=people["staff"])

    client.force_login(people["staff"])
    detail = client.get(reverse("dissemination:event_detail", args=[event.pk]))
    assert (detail.context["event"].invited_count, detail.context["event"].attended_count) == (77, 24)
    assert len(detail.context["guests"]) == 77

    client.force_login(people["ambassador"])
    listing = client.get(reverse("dissemination:event_list"), {"year": "2017", "kind": "conference"})
    [row] = listing.context["object_list"]
    assert (row.invited_count, row.attended_count) == (77, 24)


def test_an_ambassador_sees_the_counts_speakers_and_outcomes_but_not_the_guest_list(client, people):
    event = _event(outcomes="Drie werkgevers willen een training")
    event.speakers.add(people["ambassador"])
    [guest] = _persons(1, prefix="geheim")
    event_invite(event=event, persons=[guest], by=people["staff"])
    event_record_attendance(event=event, present_person_ids=[guest.pk], by=people["staff"])
    url = reverse("dissemination:event_detail", args=[event.pk])

    client.force_login(people["ambassador"])
    response = client.get(url)
    assert (response.context["event"].invited_count, response.context["event"].attended_count) == (1, 1)
    assert "guests" not in response.context
    content = response.content.decode()
    assert 'data-testid="speakers"' in content
    assert 'data-testid="outcomes"' in content
    assert 'data-testid="guests"' not in content
    assert guest.last_name not in content
    assert guest.organisation.name not in content

    client.force_login(people["staff"])
    content = client.get(url).content.decode()
    assert 'data-testid="guests"' in content
    assert guest.last_name in content
    assert guest.organisation.name in content


# --- services ---------------------------------------------------------------------------------------


def test_inviting_twice_adds_each_person_once(people):
    event = _event()
    first, second, third = _persons(3)
    assert event_invite(event=event, persons=[first, second], by=people["staff"]) == 2
    assert event_invite(event=event, persons=[second, third, third], by=people["staff"]) == 1
    assert EventGuest.objects.filter(event=event, invited=True, attended=False).count() == 3


def test_attendance_before_the_day_of_the_event_is_refused(people):
    event = _event(date=timezone.localdate() + timedelta(days=1))
    [guest] = _persons(1)
    event_invite(event=event, persons=[guest], by=people["staff"])
    with pytest.raises(ValidationError):
        event_record_attendance(event=event, present_person_ids=[guest.pk], by=people["staff"])
    assert not EventGuest.objects.filter(attended=True).exists()


def test_attendance_on_the_day_itself_is_recorded(people):
    event = _event(date=timezone.localdate())
    [guest] = _persons(1)
    event_invite(event=event, persons=[guest], by=people["staff"])
    event_record_attendance(event=event, present_person_ids=[guest.pk], by=people["staff"])
    assert EventGuest.objects.get(event=event).attended is True


def test_attendance_marks_the_given_guests_and_unmarks_the_others(people):
    event = _event()
    a, b, c = _persons(3)
    event_invite(event=event, persons=[a, b, c], by=people["staff"])
    event_record_attendance(event=event, present_person_ids=[a.pk, b.pk], by=people["staff"])
    event_record_attendance(event=event, present_person_ids=[b.pk, c.pk], by=people["staff"])
    attended = dict(EventGuest.objects.filter(event=event).values_list("person_id", "attended"))
    assert attended == {a.pk: False, b.pk: True, c.pk: True}


def test_walk_ins_are_added_as_present_without_an_invitation(people):
    event = _event()
    invited, walk_in = _persons(2)
    event_invite(event=event, persons=[invited], by=people["staff"])
    result = event_record_attendance(event=event, present_person_ids=[], walk_ins=[walk_in], by=people["staff"])
    assert result == {"present": 1, "walk_ins": 1}
    guest = EventGuest.objects.get(event=event, person=walk_in)
    assert (guest.invited, guest.attended) == (False, True)
    assert EventGuest.objects.get(event=event, person=invited).attended is False
    # Unticked later, the walk-in was not there after all: off the list.
    event_record_attendance(event=event, present_person_ids=[invited.pk], by=people["staff"])
    assert list(EventGuest.objects.filter(event=event).values_list("person_id", flat=True)) == [invited.pk]


def test_only_guests_can_be_marked_present(people):
    event = _event()
    [stranger] = _persons(1)
    with pytest.raises(ValidationError) as refused:
        event_record_attendance(event=event, present_person_ids=[stranger.pk], by=people["staff"])
    assert "present" in refused.value.error_dict
    assert not EventGuest.objects.exists()


@pytest.mark.parametrize("role", ["ambassador", "trainer", "master_trainer"])
def test_ambassadors_and_trainers_can_be_speakers(people, role):
    speaker = UserFactory(roles=[role])
    event = event_save(
        by=people["staff"], kind="congress", title="Divosa-congres", date=timezone.localdate(), speakers=[speaker]
    )
    assert list(event.speakers.all()) == [speaker]
    assert event.created_by == people["staff"]


@pytest.mark.parametrize("roles", [["staff"], []])
def test_speakers_must_be_ambassadors_or_trainers(people, roles):
    outsider = UserFactory(roles=roles)
    with pytest.raises(ValidationError) as refused:
        event_save(
            by=people["staff"], kind="congress", title="Divosa-congres", date=timezone.localdate(), speakers=[outsider]
        )
    assert "speakers" in refused.value.error_dict
    assert not Event.objects.exists()


def test_a_speaker_who_lost_the_role_stays_on_an_old_event(people):
    speaker = UserFactory(roles=["ambassador"])
    event = event_save(by=people["staff"], kind="congress", title="Congres", date=date(2020, 3, 1), speakers=[speaker])
    speaker.groups.clear()
    event_save(
        event=event, by=people["staff"], kind="congress", title="Congres", date=date(2020, 3, 1), speakers=[speaker]
    )
    assert list(event.speakers.all()) == [speaker]


def test_an_ambassador_cannot_change_events_through_the_services(people):
    event = _event()
    [person] = _persons(1)
    ambassador = people["ambassador"]
    with pytest.raises(ValidationError):
        event_save(by=ambassador, kind="congress", title="Eigen congres", date=timezone.localdate())
    with pytest.raises(ValidationError):
        event_invite(event=event, persons=[person], by=ambassador)
    assert Event.objects.count() == 1
    assert not EventGuest.objects.exists()


def test_the_follow_up_cannot_be_before_the_event_and_a_new_date_reopens_it(people):
    with pytest.raises(ValidationError) as refused:
        event_save(
            by=people["staff"],
            kind="congress",
            title="Congres",
            date=timezone.localdate(),
            follow_up_on=timezone.localdate() - timedelta(days=1),
        )
    assert "follow_up_on" in refused.value.error_dict
    event = _event(follow_up="Nabellen", follow_up_on=timezone.localdate())
    event_follow_up_done(event=event, by=people["staff"])
    event_save(
        event=event,
        by=people["staff"],
        kind=event.kind,
        title=event.title,
        date=event.date,
        follow_up="Nabellen",
        follow_up_on=timezone.localdate() + timedelta(days=7),
    )
    event.refresh_from_db()
    assert event.follow_up_done is False


def test_a_follow_up_done_needs_a_follow_up(people):
    event = _event()
    with pytest.raises(ValidationError):
        event_follow_up_done(event=event, by=people["staff"])


def test_removing_a_guest_deletes_the_row(people):
    event = _event()
    [person] = _persons(1)
    event_invite(event=event, persons=[person], by=people["staff"])
    guest_remove(guest=EventGuest.objects.get(), by=people["staff"])
    assert not EventGuest.objects.exists()


# --- pages ---------------------------------------------------------------------------------------------


def test_staff_create_an_event_with_a_speaker(client, people):
    speaker = UserFactory(roles=["ambassador"])
    client.force_login(people["staff"])
    response = client.post(
        reverse("dissemination:event_create"),
        {
            "kind": "inspiration_meeting",
            "title": "Inspiratiebijeenkomst Tiel",
            "date": timezone.localdate().isoformat(),
            "place": "Tiel",
            "speakers": [speaker.pk],
            "outcomes": "Drie werkgevers willen meer weten",
            "follow_up": "Factsheet sturen",
            "follow_up_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
    )
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dissemination:event_detail", args=[event.pk])
    assert list(event.speakers.all()) == [speaker]
    assert event.outcomes == "Drie werkgevers willen meer weten"


def test_the_event_form_refuses_a_speaker_who_is_not_an_ambassador(client, people):
    client.force_login(people["staff"])
    response = client.post(
        reverse("dissemination:event_create"),
        {"kind": "congress", "title": "Congres", "date": "2024-05-01", "speakers": [people["staff"].pk]},
    )
    assert response.status_code == 200
    assert "speakers" in response.context["form"].errors
    assert not Event.objects.exists()


def test_the_event_pages_show_the_privacy_warning(client, people):
    event = _event(outcomes="Goed ontvangen")
    client.force_login(people["staff"])
    for url in (
        reverse("dissemination:event_detail", args=[event.pk]),
        reverse("dissemination:event_update", args=[event.pk]),
    ):
        assert b'data-testid="privacy-warning"' in client.get(url).content


def test_the_guests_page_finds_persons_and_invites_the_ticked_ones(client, people):
    event = _event()
    linge = OrganisationFactory(name="Bakkerij De Linge")
    sanne = PersonFactory(first_name="Sanne", last_name="de Vries", organisation=linge)
    piet = PersonFactory(first_name="Piet", last_name="Jansen", organisation=linge)
    PersonFactory(first_name="Kees", last_name="Bakker", organisation=OrganisationFactory(name="Gemeente Tiel"))
    client.force_login(people["staff"])
    url = reverse("dissemination:event_guests", args=[event.pk])
    found = client.get(url, {"q": "linge"})
    assert [person for person, _guest in found.context["matches"]] == [piet, sanne]
    response = client.post(url + "?q=linge", {"persons": [sanne.pk, piet.pk]})
    assert response.status_code == 302
    assert set(EventGuest.objects.filter(event=event, invited=True).values_list("person_id", flat=True)) == {
        sanne.pk,
        piet.pk,
    }
    again = client.get(url, {"q": "linge"})
    assert all(is_guest for _person, is_guest in again.context["matches"])


def test_the_guest_search_shows_at_most_25_matches(client, people):
    event = _event()
    _persons(30)
    client.force_login(people["staff"])
    response = client.get(reverse("dissemination:event_guests", args=[event.pk]), {"q": "gast"})
    assert len(response.context["matches"]) == 25


def test_the_attendance_page_records_guests_and_a_walk_in(client, people):
    event = _event()
    a, b, walk_in = _persons(3)
    event_invite(event=event, persons=[a, b], by=people["staff"])
    client.force_login(people["staff"])
    url = reverse("dissemination:event_attendance", args=[event.pk])
    page = client.get(url, {"q": walk_in.email})
    assert page.context["walk_in_matches"] == [walk_in]
    response = client.post(url, {"present": [a.pk], "walk_ins": [walk_in.pk]})
    assert response.status_code == 302
    rows = set(EventGuest.objects.filter(event=event).values_list("person_id", "invited", "attended"))
    assert rows == {(a.pk, True, True), (b.pk, True, False), (walk_in.pk, False, True)}


def test_the_attendance_page_refuses_before_the_event(client, people):
    event = _event(date=timezone.localdate() + timedelta(days=3))
    [guest] = _persons(1)
    event_invite(event=event, persons=[guest], by=people["staff"])
    client.force_login(people["staff"])
    url = reverse("dissemination:event_attendance", args=[event.pk])
    assert client.get(url).context["has_come"] is False
    response = client.post(url, {"present": [guest.pk]})
    assert response.status_code == 400
    assert not EventGuest.objects.filter(attended=True).exists()


def test_the_list_marks_events_whose_follow_up_is_due(client, people):
    due = _event(title="Due", follow_up="Bellen", follow_up_on=timezone.localdate())
    _event(title="Later", follow_up="Bellen", follow_up_on=timezone.localdate() + timedelta(days=5))
    _event(title="Done", follow_up="Bellen", follow_up_on=timezone.localdate() - timedelta(days=5), follow_up_done=True)
    client.force_login(people["staff"])
    response = client.get(reverse("dissemination:event_list"))
    assert {event.title for event in response.context["object_list"] if event.follow_up_due} == {"Due"}
    assert response.content.count(b'data-testid="follow-up-due"') == 1
    done = client.post(reverse("dissemination:event_follow_up_done", args=[due.pk]))
    assert done.status_code == 302
    due.refresh_from_db()
    assert due.follow_up_done is True


def test_the_list_filters_by_kind_and_year(client, people):
    congress = _event(kind="congress", date=date(2023, 4, 1))
    _event(kind="conference", date=date(2023, 6, 1))
    _event(kind="congress", date=date(2024, 4, 1))
    client.force_login(people["ambassador"])
    response = client.get(reverse("dissemination:event_list"), {"kind": "congress", "year": "2023"})
    assert list(response.context["object_list"]) == [congress]


# --- permissions ------------------------------------------------------------------------------------------


def _urls(event, guest):
    return {
        "event_list": ("get", reverse("dissemination:event_list")),
        "event_detail": ("get", reverse("dissemination:event_detail", args=[event.pk])),
        "event_create": ("get", reverse("dissemination:event_create")),
        "event_update": ("get", reverse("dissemination:event_update", args=[event.pk])),
        "event_guests": ("get", reverse("dissemination:event_guests", args=[event.pk])),
        "event_attendance": ("get", reverse("dissemination:event_attendance", args=[event.pk])),
        "event_follow_up_done": ("post", reverse("dissemination:event_follow_up_done", args=[event.pk])),
        "event_guest_remove": ("post", reverse("dissemination:event_guest_remove", args=[event.pk, guest.pk])),
    }


# Per URL: status for staff, an ambassador (reads only) and a trainer (no access).
MATRIX = {
    "event_list": {"staff": 200, "ambassador": 200, "trainer": 403},
    "event_detail": {"staff": 200, "ambassador": 200, "trainer": 403},
    "event_create": {"staff": 200, "ambassador": 403, "trainer": 403},
    "event_update": {"staff": 200, "ambassador": 403, "trainer": 403},
    "event_guests": {"staff": 200, "ambassador": 403, "trainer": 403},
    "event_attendance": {"staff": 200, "ambassador": 403, "trainer": 403},
    "event_follow_up_done": {"staff": 302, "ambassador": 403, "trainer": 403},
    "event_guest_remove": {"staff": 302, "ambassador": 403, "trainer": 403},
}


@pytest.fixture
def event_with_guest(people):
    event = _event(follow_up="Nabellen", follow_up_on=timezone.localdate())
    guest = EventGuest.objects.create(event=event, person=PersonFactory())
    return event, guest


@pytest.mark.parametrize("name", MATRIX)
@pytest.mark.parametrize("who", ["staff", "ambassador", "trainer"])
def test_each_event_url_answers_each_role_as_intended(client, people, event_with_guest, name, who):
    event, guest = event_with_guest
    method, url = _urls(event, guest)[name]
    client.force_login(people[who])
    response = getattr(client, method)(url)
    assert response.status_code == MATRIX[name][who]
    event.refresh_from_db()
    assert event.follow_up_done is (name == "event_follow_up_done" and who == "staff")
    assert EventGuest.objects.filter(pk=guest.pk).exists() is not (name == "event_guest_remove" and who == "staff")


@pytest.mark.parametrize("name", MATRIX)
def test_each_event_url_sends_anonymous_visitors_to_the_login(client, event_with_guest, name):
    method, url = _urls(*event_with_guest)[name]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_ambassador_cannot_post_changes(client, people, event_with_guest):
    event, _guest = event_with_guest
    [person] = _persons(1)
    client.force_login(people["ambassador"])
    assert client.post(reverse("dissemination:event_update", args=[event.pk]), {"title": "X"}).status_code == 403
    assert (
        client.post(reverse("dissemination:event_guests", args=[event.pk]), {"persons": [person.pk]}).status_code == 403
    )
    assert (
        client.post(reverse("dissemination:event_attendance", args=[event.pk]), {"walk_ins": [person.pk]}).status_code
        == 403
    )
    assert EventGuest.objects.filter(event=event).count() == 1
    event.refresh_from_db()
    assert event.title == "Slotconferentie"


# --- event follow-ups due on staff's home page -----------------------------------------------------------


def test_staff_home_lists_the_event_follow_ups_that_are_due(client, people):
    today = timezone.localdate()
    overdue = _event(title="Overdue", follow_up="Bellen", follow_up_on=today - timedelta(days=1))
    due_today = _event(title="Today", follow_up="Mailen", follow_up_on=today)
    _event(title="Later", follow_up="Bellen", follow_up_on=today + timedelta(days=1))
    _event(title="Done", follow_up="Bellen", follow_up_on=today - timedelta(days=2), follow_up_done=True)
    _event(title="No follow-up")
    client.force_login(people["staff"])

    response = client.get(reverse("overview:home"))

    assert response.context["event_follow_ups"] == [overdue, due_today]
    assert response.content.count(b"data-event=") == 2

    done_url = reverse("dissemination:event_follow_up_done", args=[overdue.pk])
    assert client.post(done_url, {"next": reverse("overview:home")})["Location"] == reverse("overview:home")
    assert client.get(reverse("overview:home")).context["event_follow_ups"] == [due_today]


def test_staff_home_shows_at_most_ten_event_follow_ups(client, people):
    for days in range(12):
        _event(follow_up="Bellen", follow_up_on=timezone.localdate() - timedelta(days=days))
    client.force_login(people["staff"])
    assert len(client.get(reverse("overview:home")).context["event_follow_ups"]) == 10


def test_an_ambassador_home_has_no_event_follow_ups(client, people):
    _event(follow_up="Bellen", follow_up_on=timezone.localdate())
    client.force_login(people["ambassador"])
    response = client.get(reverse("overview:home"))
    assert response.context["event_follow_ups"] == []
    assert b'data-testid="home-event-follow-ups"' not in response.content


@pytest.mark.parametrize("events", [1, 30])
def test_the_event_follow_ups_on_staff_home_take_one_query(client, people, django_assert_num_queries, events):
    Event.objects.bulk_create(
        Event(kind="congress", title=f"Congres {n}", date=date(2024, 1, 1), follow_up_on=date(2024, 2, 1))
        for n in range(events)
    )
    client.force_login(people["staff"])
    # as tests/overview/test_home.py: the page, staff's to-dos and first steps, 1 for the event follow-ups due
    with django_assert_num_queries(8):
        response = client.get(reverse("overview:home"))
    assert len(response.context["event_follow_ups"]) == min(events, 10)


# --- query counts -------------------------------------------------------------------------------------------


def _events_with_guests(events: int, guests_each: int):
    persons = _persons(guests_each)
    Event.objects.bulk_create(
        Event(kind="congress", title=f"Congres {n}", date=timezone.localdate() - timedelta(days=n))
        for n in range(events)
    )
    EventGuest.objects.bulk_create(
        EventGuest(event=event, person=person, attended=index % 3 == 0)
        for event in Event.objects.all()
        for index, person in enumerate(persons)
    )
    return Event.objects.order_by("pk").first(), persons


@pytest.mark.parametrize(("events", "guests"), [(2, 3), (40, 30)])
def test_the_event_list_runs_fixed_queries(client, people, django_assert_num_queries, events, guests):
    _events_with_guests(events, guests)
    client.force_login(people["staff"])
    # the user with roles and two-factor state, filter years, count, page of events
    with django_assert_num_queries(4):
        response = client.get(reverse("dissemination:event_list"), {"kind": "congress"})
    rows = response.context["object_list"]
    assert len(rows) == min(events, 25)
    assert {(row.invited_count, row.attended_count) for row in rows} == {(guests, (guests + 2) // 3)}


@pytest.mark.parametrize(("guests", "speakers"), [(3, 1), (80, 4)])
def test_the_event_detail_runs_fixed_queries(client, people, django_assert_num_queries, guests, speakers):
    event, _persons_ = _events_with_guests(1, guests)
    event.speakers.set([UserFactory(roles=["ambassador"]) for _ in range(speakers)])
    client.force_login(people["staff"])
    # the user with roles and two-factor state, event with counts, speakers, guests
    with django_assert_num_queries(4):
        response = client.get(reverse("dissemination:event_detail", args=[event.pk]))
    assert len(response.context["guests"]) == guests
    assert response.context["event"].invited_count == guests
    client.force_login(people["ambassador"])
    # the user with roles, event with counts, speakers (no guest list)
    with django_assert_num_queries(3):
        response = client.get(reverse("dissemination:event_detail", args=[event.pk]))
    assert response.context["event"].invited_count == guests


@pytest.mark.parametrize("guests", [3, 80])
def test_the_attendance_page_runs_fixed_queries(client, people, django_assert_num_queries, guests):
    event, _persons_ = _events_with_guests(1, guests)
    client.force_login(people["staff"])
    # the user with roles and two-factor state, event, guests, search matches
    with django_assert_num_queries(4):
        response = client.get(reverse("dissemination:event_attendance", args=[event.pk]), {"q": "gast"})
    assert len(response.context["rows"]) == guests


@pytest.mark.parametrize("guests", [3, 80])
def test_the_guests_page_runs_fixed_queries(client, people, django_assert_num_queries, guests):
    event, _persons_ = _events_with_guests(1, guests)
    client.force_login(people["staff"])
    # the user with roles and two-factor state, event with counts, search matches, guests
    with django_assert_num_queries(4):
        response = client.get(reverse("dissemination:event_guests", args=[event.pk]), {"q": "gast"})
    assert len(response.context["guests"]) == guests
    assert len(response.context["matches"]) == min(guests, 25)
