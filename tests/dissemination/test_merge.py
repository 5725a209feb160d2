from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dissemination.models import Event, EventGuest, Organisation, Person
from dissemination.services.merge import organisation_merge, person_merge
from tests.factories import (
    EnrolmentFactory,
    OrganisationFactory,
    PersonFactory,
    TrainingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(roles=["staff"], two_factor=True)


def test_organisation_merge_moves_people_and_hosted_trainings_and_fills_empty_fields(staff):
    keep = OrganisationFactory(name="Bakkerij De Linge", kvk_number="", website="")
    remove = OrganisationFactory(
        name="Bakkerij de Linge BV", kvk_number="12345678", website="https://linge.example.org"
    )
    anna, bert = PersonFactory(organisation=keep), PersonFactory(organisation=remove)
    run = TrainingFactory(host_organisation=remove)

    organisation_merge(keep=keep, remove=remove, by=staff)

    assert not Organisation.objects.filter(pk=remove.pk).exists()
    assert set(keep.people.all()) == {anna, bert}
    assert list(keep.hosted_trainings.all()) == [run]
    keep.refresh_from_db()
    assert (keep.name, keep.kvk_number, keep.website) == (
        "Bakkerij De Linge",
        "12345678",
        "https://linge.example.org",
    )


def test_person_merge_moves_enrolments_and_fills_empty_fields(staff):
    keep = PersonFactory(email="anna@example.org", phone="", function="")
    remove = PersonFactory(email="a.devries@example.org", phone="0612345678", function="Teamleider")
    first, second = TrainingFactory(), TrainingFactory()
    kept_enrolment = EnrolmentFactory(person=keep, training=first)
    moved_enrolment = EnrolmentFactory(person=remove, training=second)

    person_merge(keep=keep, remove=remove, by=staff)

    assert not Person.objects.filter(pk=remove.pk).exists()
    assert set(keep.enrolments.all()) == {kept_enrolment, moved_enrolment}
    keep.refresh_from_db()
    assert (keep.email, keep.phone, keep.function) == ("anna@example.org", "0612345678", "Teamleider")


def test_person_merge_is_refused_when_both_are_enrolled_in_the_same_run(staff):
    keep, remove = PersonFactory(), PersonFactory()
    run, other_run = TrainingFactory(), TrainingFactory()
    EnrolmentFactory(person=keep, training=run)
    EnrolmentFactory(person=remove, training=run)
    other = EnrolmentFactory(person=remove, training=other_run)

    with pytest.raises(ValidationError):
        person_merge(keep=keep, remove=remove, by=staff)

    assert Person.objects.filter(pk=remove.pk).exists()
    other.refresh_from_db()
    assert other.person == remove
    assert remove.enrolments.count() == 2


def test_a_cancelled_enrolment_in_the_same_run_does_not_block_the_merge(staff):
    keep, remove = PersonFactory(), PersonFactory()
    run = TrainingFactory()
    EnrolmentFactory(person=keep, training=run)
    cancelled = EnrolmentFactory(person=remove, training=run, status="cancelled")

    person_merge(keep=keep, remove=remove, by=staff)

    cancelled.refresh_from_db()
    assert cancelled.person == keep


def test_person_merge_combines_the_guest_rows_of_an_event_both_were_at(staff):
    keep, remove = PersonFactory(), PersonFactory()
    both, only_removed = (
        Event.objects.create(kind="conference", title=title, date=date(2017, 11, 23)) for title in ("A", "B")
    )
    kept_row = EventGuest.objects.create(event=both, person=keep, invited=True, attended=False)
    EventGuest.objects.create(event=both, person=remove, invited=False, attended=True)  # a walk-in
    moved_row = EventGuest.objects.create(event=only_removed, person=remove, invited=True, attended=False)

    person_merge(keep=keep, remove=remove, by=staff)

    assert not Person.objects.filter(pk=remove.pk).exists()
    assert sorted(EventGuest.objects.values_list("pk", "event", "person", "invited", "attended")) == [
        (kept_row.pk, both.pk, keep.pk, True, True),
        (moved_row.pk, only_removed.pk, keep.pk, True, False),
    ]


def test_the_merge_preview_shows_no_conflict_for_a_shared_event(client, staff):
    keep, remove = PersonFactory(), PersonFactory()
    event = Event.objects.create(kind="conference", title="A", date=date(2017, 11, 23))
    EventGuest.objects.create(event=event, person=keep)
    EventGuest.objects.create(event=event, person=remove)
    client.force_login(staff)
    url = reverse("dissemination:person_merge", kwargs={"pk": keep.pk})
    assert client.get(url, {"other": remove.pk}).context["conflicts"] == []
    assert client.post(url, {"other": remove.pk}).status_code == 302
    assert list(EventGuest.objects.values_list("person", flat=True)) == [keep.pk]


def test_a_refused_person_merge_leaves_the_guest_rows_alone(staff):
    keep, remove = PersonFactory(), PersonFactory()
    run = TrainingFactory()
    EnrolmentFactory(person=keep, training=run)
    EnrolmentFactory(person=remove, training=run)
    event = Event.objects.create(kind="conference", title="A", date=date(2017, 11, 23))
    EventGuest.objects.create(event=event, person=keep, invited=True, attended=False)
    EventGuest.objects.create(event=event, person=remove, invited=True, attended=True)

    with pytest.raises(ValidationError):
        person_merge(keep=keep, remove=remove, by=staff)

    assert sorted(EventGuest.objects.values_list("person", "attended")) == sorted([(keep.pk, False), (remove.pk, True)])


def test_a_record_is_not_merged_with_itself(staff):
    organisation = OrganisationFactory()
    with pytest.raises(ValidationError):
        organisation_merge(keep=organisation, remove=organisation, by=staff)
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_merge_page_searches_previews_and_merges(client, staff):
    client.force_login(staff)
    keep = OrganisationFactory(name="Bakkerij De Linge")
    remove = OrganisationFactory(name="Bakkerij Linge BV")
    PersonFactory(organisation=remove)
    url = reverse("dissemination:organisation_merge", kwargs={"pk": keep.pk})

    response = client.get(url, {"q": "linge"})
    assert response.context["candidates"] == [remove]

    response = client.get(url, {"other": remove.pk})
    assert [(move.model, move.count) for move in response.context["moves"]] == [(Person, 1)]
    assert response.context["conflicts"] == []

    response = client.post(url, {"other": remove.pk})
    assert response.status_code == 302
    assert response.url == reverse("dissemination:organisation_detail", kwargs={"pk": keep.pk})
    assert list(Organisation.objects.all()) == [keep]


def test_person_merge_page_shows_the_conflict_and_does_not_merge(client, staff):
    client.force_login(staff)
    keep, remove = PersonFactory(), PersonFactory()
    run = TrainingFactory()
    EnrolmentFactory(person=keep, training=run)
    EnrolmentFactory(person=remove, training=run)
    url = reverse("dissemination:person_merge", kwargs={"pk": keep.pk})

    response = client.get(url, {"other": remove.pk})
    assert len(response.context["conflicts"]) == 1

    response = client.post(url, {"other": remove.pk})
    assert response.status_code == 200
    assert len(response.context["conflicts"]) == 1
    assert Person.objects.filter(pk=remove.pk).exists()


def test_ambassadors_may_not_merge(client):
    client.force_login(UserFactory(roles=["ambassador"]))
    keep, remove = OrganisationFactory(), OrganisationFactory()
    person = PersonFactory()
    organisation_url = reverse("dissemination:organisation_merge", kwargs={"pk": keep.pk})
    assert client.get(organisation_url).status_code == 403
    assert client.post(organisation_url, {"other": remove.pk}).status_code == 403
    assert client.get(reverse("dissemination:person_merge", kwargs={"pk": person.pk})).status_code == 403
    assert Organisation.objects.filter(pk=remove.pk).exists()


def test_trainers_get_403_and_anonymous_visitors_login_on_merge_pages(client):
    organisation = OrganisationFactory()
    url = reverse("dissemination:organisation_merge", kwargs={"pk": organisation.pk})
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    client.force_login(UserFactory(roles=["trainer"]))
    assert client.get(url).status_code == 403
