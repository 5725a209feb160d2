from datetime import date

import pytest
from django.core import mail
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
from trainings.models import ScheduledMessage

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


def test_a_merge_that_moves_enrolments_to_another_address_is_an_address_change(
    staff, django_capture_on_commit_callbacks
):
    keep = PersonFactory(email="anna@example.org")
    remove = PersonFactory(email="a.devries@example.org")
    kept_enrolment = EnrolmentFactory(person=keep, training=TrainingFactory(meetings=5))
    moved_enrolment = EnrolmentFactory(person=remove, training=TrainingFactory(meetings=5), language="en")
    kept_token, moved_token = kept_enrolment.token, moved_enrolment.token

    with django_capture_on_commit_callbacks(execute=True):
        person_merge(keep=keep, remove=remove, by=staff)

    kept_enrolment.refresh_from_db()
    moved_enrolment.refresh_from_db()
    # The links mailed to a.devries@ stop working; anna@'s own links were never elsewhere.
    assert moved_enrolment.token != moved_token
    assert kept_enrolment.token == kept_token
    assert [message.to for message in mail.outbox] == [["a.devries@example.org"], ["anna@example.org"]]
    notice, new_links = mail.outbox
    assert "Werkzaak staff changed the email address" in notice.body
    assert "anna@example.org" not in notice.body
    assert "/mijn/" not in notice.body
    assert new_links.extra_headers["Content-Language"] == "en"
    assert moved_enrolment.token in new_links.body
    assert moved_token not in new_links.body
    assert ScheduledMessage.objects.filter(enrolment__person=keep).count() == 2


def test_a_merge_into_someone_without_an_address_changes_no_address(staff):
    keep, remove = PersonFactory(email=""), PersonFactory(email="a.devries@example.org")
    moved = EnrolmentFactory(person=remove, training=TrainingFactory(meetings=5))
    token = moved.token
    person_merge(keep=keep, remove=remove, by=staff)
    moved.refresh_from_db()
    keep.refresh_from_db()
    assert (keep.email, moved.token) == ("a.devries@example.org", token)  # keep takes the address
    assert not ScheduledMessage.objects.filter(kind__in=["email_changed", "personal_links"]).exists()


def test_enrolments_of_someone_without_an_address_get_their_links_at_the_address_they_move_to(staff):
    keep, remove = PersonFactory(email="anna@example.org"), PersonFactory(email="")
    moved = EnrolmentFactory(person=remove, training=TrainingFactory(meetings=5))
    token = moved.token
    person_merge(keep=keep, remove=remove, by=staff)
    moved.refresh_from_db()
    assert moved.token != token
    # No old address to tell; the new links go to anna@.
    assert list(ScheduledMessage.objects.filter(enrolment=moved).values_list("kind", flat=True)) == ["personal_links"]


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


def test_person_merge_keeps_the_latest_answer_to_an_event_invitation(staff):
    from datetime import datetime, timedelta

    from django.utils import timezone

    keep, remove = PersonFactory(), PersonFactory()
    event = Event.objects.create(kind="conference", title="C", date=date(2030, 1, 10))
    earlier = timezone.make_aware(datetime(2029, 12, 1, 10, 0))
    kept_row = EventGuest.objects.create(event=event, person=keep, rsvp="no", rsvp_at=earlier)
    EventGuest.objects.create(event=event, person=remove, rsvp="yes", rsvp_at=earlier + timedelta(days=2))

    person_merge(keep=keep, remove=remove, by=staff)

    kept_row.refresh_from_db()
    assert (kept_row.rsvp, kept_row.rsvp_at) == ("yes", earlier + timedelta(days=2))
    assert EventGuest.objects.count() == 1


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
