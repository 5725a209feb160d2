"""Who sees and changes which people in the directory (docs/security.md, "Who sees which people"):
staff everyone; an ambassador the people they added and the contact persons of their own contacts,
never a participant, subscriber or another ambassador's people; an address that mail goes to is
changed only by staff or the person themselves, and the old address is told."""

import importlib

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from dissemination.admin import PersonAdminForm
from dissemination.models import OutreachContact, Person
from dissemination.queries import relations as queries
from dissemination.services.outreach import SOMEONE_ELSES_EMAIL, contact_log
from dissemination.services.relations import EMAIL_LOCKED, person_email_may_change, person_save
from mentorwijs.accounts.models import User
from tests.factories import (
    EnrolmentFactory,
    OrganisationFactory,
    OutreachContactFactory,
    PersonFactory,
    SubscriberFactory,
    UserFactory,
)
from trainings.models import ScheduledMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """Two ambassadors with their own people at one organisation, a participant, a subscriber and
    a person staff added."""
    a = UserFactory(roles=["ambassador"])
    b = UserFactory(roles=["ambassador"])
    staff = UserFactory(roles=["staff"], two_factor=True)
    organisation = OrganisationFactory(name="Bakkerij De Linge")
    people = {
        "a_added": PersonFactory(first_name="Aart", last_name="Toegevoegd", organisation=organisation, added_by=a),
        "a_contact": PersonFactory(first_name="Anke", last_name="Contactpersoon", organisation=organisation),
        "b_added": PersonFactory(first_name="Bert", last_name="Bijgezet", organisation=organisation, added_by=b),
        "b_contact": PersonFactory(first_name="Bea", last_name="Gesprekspartner", organisation=organisation),
        "staff_added": PersonFactory(
            first_name="Sven", last_name="Stafkaart", organisation=organisation, added_by=staff
        ),
        "participant": PersonFactory(first_name="Pien", last_name="Deelnemer", organisation=organisation),
        "subscriber": PersonFactory(first_name="Siem", last_name="Abonnee", organisation=organisation),
    }
    OutreachContactFactory(logged_by=a, organisation=organisation, person=people["a_contact"])
    OutreachContactFactory(logged_by=b, organisation=organisation, person=people["b_contact"])
    EnrolmentFactory(person=people["participant"], language="en")
    SubscriberFactory(person=people["subscriber"], email=people["subscriber"].email)
    return {"a": a, "b": b, "staff": staff, "organisation": organisation, "people": people}


def _names(people, keys):
    return {str(people[key]) for key in keys}


# --- the query every page asks ------------------------------------------------------------------


def test_an_ambassador_sees_the_people_they_added_and_their_contacts_persons_only(world):
    people = world["people"]
    assert set(queries.people_visible_to(world["a"])) == {people["a_added"], people["a_contact"]}
    assert set(queries.people_visible_to(world["b"])) == {people["b_added"], people["b_contact"]}


def test_staff_and_superusers_see_everyone_and_other_roles_nobody(world):
    superuser = User.objects.create_superuser(email="root@example.org", password="x" * 20)
    everyone = set(Person.objects.all())
    assert set(queries.people_visible_to(world["staff"])) == everyone
    assert set(queries.people_visible_to(superuser)) == everyone
    for roles in (["trainer"], ["master_trainer"]):
        assert not queries.people_visible_to(UserFactory(roles=roles)).exists()


def test_a_contact_handed_to_another_ambassador_takes_its_person_along(world):
    contact = OutreachContact.objects.get(person=world["people"]["a_contact"])
    contact.logged_by = world["b"]
    contact.save()
    assert world["people"]["a_contact"] not in queries.people_visible_to(world["a"])
    assert world["people"]["a_contact"] in queries.people_visible_to(world["b"])


# --- the people pages ---------------------------------------------------------------------------


def test_the_person_list_of_an_ambassador_holds_only_their_own_people(client, world):
    client.force_login(world["a"])
    response = client.get(reverse("dissemination:person_list"))
    assert {str(p) for p in response.context["object_list"]} == _names(world["people"], ["a_added", "a_contact"])
    content = response.content.decode()
    for key in ("b_added", "b_contact", "staff_added", "participant", "subscriber"):
        assert world["people"][key].last_name not in content
        assert world["people"][key].email not in content


def test_searching_for_someone_elses_address_finds_nothing(client, world):
    client.force_login(world["a"])
    for key in ("b_contact", "participant", "subscriber"):
        response = client.get(reverse("dissemination:person_list"), {"q": world["people"][key].email})
        assert list(response.context["object_list"]) == []


def test_staff_see_everyone_in_the_person_list(client, world):
    client.force_login(world["staff"])
    response = client.get(reverse("dissemination:person_list"))
    assert set(response.context["object_list"]) == set(world["people"].values())


@pytest.mark.parametrize("key", ["b_added", "b_contact", "staff_added", "participant", "subscriber"])
def test_someone_elses_person_answers_404_and_stays_unchanged(client, world, key):
    person = world["people"][key]
    client.force_login(world["a"])
    url = reverse("dissemination:person_update", kwargs={"pk": person.pk})
    assert client.get(url).status_code == 404
    response = client.post(url, {"first_name": "Gewijzigd", "last_name": "X", "email": "nieuw@example.org"})
    assert response.status_code == 404
    person.refresh_from_db()
    assert person.first_name != "Gewijzigd"


def test_the_organisation_page_lists_only_the_people_the_user_may_see(client, world):
    client.force_login(world["a"])
    url = reverse("dissemination:organisation_detail", kwargs={"pk": world["organisation"].pk})
    response = client.get(url)
    assert {str(p) for p in response.context["people"]} == _names(world["people"], ["a_added", "a_contact"])
    assert "Gesprekspartner" not in response.content.decode()
    client.force_login(world["staff"])
    assert set(client.get(url).context["people"]) == set(world["people"].values())


def test_a_person_an_ambassador_adds_is_theirs(client, world):
    client.force_login(world["b"])
    response = client.post(
        reverse("dissemination:person_create"),
        {"first_name": "Nina", "last_name": "Nieuw", "email": "nina@example.org", "organisation_name": ""},
    )
    assert response.status_code == 302
    nina = Person.objects.get(email="nina@example.org")
    assert nina.added_by == world["b"]
    assert nina in queries.people_visible_to(world["b"])
    assert nina not in queries.people_visible_to(world["a"])


# --- the duplicate guard --------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["b_contact", "participant"])
def test_the_duplicate_guard_does_not_show_someone_the_ambassador_may_not_see(client, world, key):
    other = world["people"][key]
    client.force_login(world["a"])
    response = client.post(
        reverse("dissemination:person_create"),
        {"first_name": "Nina", "last_name": "Nieuw", "email": other.email.upper(), "organisation_name": ""},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["email"]
    assert (form.email_owner, form.email_owner_hidden) == (None, True)
    content = response.content.decode()
    assert other.last_name not in content
    assert reverse("dissemination:person_update", kwargs={"pk": other.pk}) not in content
    assert not Person.objects.filter(last_name="Nieuw").exists()


def test_the_duplicate_guard_names_the_other_person_to_staff(client, world):
    other = world["people"]["b_contact"]
    client.force_login(world["staff"])
    response = client.post(
        reverse("dissemination:person_create"),
        {"first_name": "Nina", "last_name": "Nieuw", "email": other.email, "organisation_name": ""},
    )
    assert response.context["form"].email_owner == other
    assert reverse("dissemination:person_update", kwargs={"pk": other.pk}) in response.content.decode()


# --- the outreach log never takes someone the ambassador may not see ----------------------------


def _log(world, by, **person):
    return contact_log(by=by, organisation=world["organisation"], channel="phone", stage="informed", **person)


def test_logging_a_contact_with_someone_elses_address_is_refused_without_naming_them(client, world):
    other = world["people"]["b_contact"]
    client.force_login(world["a"])
    response = client.post(
        reverse("dissemination:contact_log"),
        {
            "organisation_name": "Bakkerij De Linge",
            "organisation": world["organisation"].pk,
            "date": "2026-01-05",
            "channel": "phone",
            "stage": "informed",
            "person_first_name": "Bea",
            "person_last_name": "Gesprekspartner",
            "person_email": other.email,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"person_email": [str(SOMEONE_ELSES_EMAIL)]}
    assert OutreachContact.objects.filter(logged_by=world["a"]).count() == 1


def test_a_name_at_the_organisation_finds_only_the_ambassadors_own_person(world):
    contact = _log(world, world["a"], new_person={"first_name": "Bea", "last_name": "Gesprekspartner", "email": ""})
    assert contact.person != world["people"]["b_contact"]
    assert (contact.person.added_by, contact.person.email) == (world["a"], "")
    own = _log(world, world["a"], new_person={"first_name": "aart", "last_name": "TOEGEVOEGD", "email": ""})
    assert own.person == world["people"]["a_added"]


@pytest.mark.parametrize("key", ["b_added", "participant"])
def test_a_posted_id_of_someone_elses_person_is_refused(client, world, key):
    client.force_login(world["a"])
    response = client.post(
        reverse("dissemination:contact_log"),
        {
            "organisation_name": "Bakkerij De Linge",
            "organisation": world["organisation"].pk,
            "date": "2026-01-05",
            "channel": "phone",
            "stage": "informed",
            "person": world["people"][key].pk,
        },
    )
    assert list(response.context["form"].errors) == ["person"]
    with pytest.raises(ValidationError) as error:
        _log(world, world["a"], person=world["people"][key])
    assert list(error.value.error_dict) == ["person"]
    assert OutreachContact.objects.filter(logged_by=world["a"]).count() == 1


def test_the_log_form_does_not_start_with_someone_elses_person(client, world):
    client.force_login(world["a"])
    url = reverse("dissemination:contact_log")
    organisation = world["organisation"].pk
    response = client.get(url, {"organisation": organisation, "person": world["people"]["b_contact"].pk})
    assert "person" not in response.context["form"].initial
    response = client.get(url, {"organisation": organisation, "person": world["people"]["a_added"].pk})
    assert response.context["form"].initial["person"] == str(world["people"]["a_added"].pk)


def test_the_contact_form_offers_only_the_ambassadors_own_people(client, world):
    contact = OutreachContact.objects.get(logged_by=world["a"])
    client.force_login(world["a"])
    response = client.get(reverse("dissemination:contact_detail", args=[contact.pk]))
    choices = set(response.context["form"].fields["person"].queryset)
    assert choices == {world["people"]["a_added"], world["people"]["a_contact"]}
    assert "Gesprekspartner" not in response.content.decode()
    client.force_login(world["staff"])
    response = client.get(reverse("dissemination:contact_detail", args=[contact.pk]))
    assert set(response.context["form"].fields["person"].queryset) == set(world["people"].values())


# --- the address that mail goes to ----------------------------------------------------------------


def test_an_ambassador_cannot_change_an_address_that_mail_goes_to(client, world):
    participant = world["people"]["participant"]
    OutreachContactFactory(logged_by=world["a"], organisation=world["organisation"], person=participant)
    client.force_login(world["a"])
    url = reverse("dissemination:person_update", kwargs={"pk": participant.pk})
    response = client.get(url)
    assert response.context["form"].fields["email"].disabled
    assert str(EMAIL_LOCKED) in response.content.decode()
    old = participant.email
    response = client.post(
        url,
        {"first_name": "Pien", "last_name": "Deelnemer", "email": "ambassadeur@example.org", "function": "Chef"},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.email, participant.function) == (old, "Chef")
    assert not ScheduledMessage.objects.filter(kind="email_changed").exists()


@pytest.mark.parametrize("kind", ["participant", "subscriber", "account"])
def test_the_person_service_refuses_an_ambassador_changing_a_mail_address(world, kind):
    person = world["people"]["a_added"]
    if kind == "participant":
        EnrolmentFactory(person=person)
    elif kind == "subscriber":
        SubscriberFactory(email=person.email.upper())
    else:
        UserFactory(email=person.email)
    assert not person_email_may_change(person=person, by=world["a"])
    with pytest.raises(ValidationError) as error:
        person_save(person=person, data={"email": "elders@example.org"}, by=world["a"])
    assert [e.code for e in error.value.error_dict["email"]] == ["email_locked"]
    person.refresh_from_db()
    assert person.email != "elders@example.org"


def test_an_ambassador_changes_the_work_address_of_their_own_contact(world):
    person = world["people"]["a_added"]
    person_save(person=person, data={"email": "werk@bakkerij.example"}, by=world["a"])
    person.refresh_from_db()
    assert person.email == "werk@bakkerij.example"
    assert mail.outbox == []


def test_the_person_service_refuses_someone_who_may_not_see_the_person(world):
    with pytest.raises(PermissionDenied):
        person_save(person=world["people"]["b_added"], data={"function": "X"}, by=world["a"])
    with pytest.raises(PermissionDenied):
        person_save(person=world["people"]["b_added"], data={"function": "X"}, by=UserFactory(roles=["trainer"]))


def test_staff_change_a_participants_address_and_the_old_address_is_told(
    client, world, django_capture_on_commit_callbacks
):
    participant = world["people"]["participant"]
    old = participant.email
    old_token = participant.enrolments.get().token
    client.force_login(world["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dissemination:person_update", kwargs={"pk": participant.pk}),
            {"first_name": "Pien", "last_name": "Deelnemer", "email": "pien@nieuw.example"},
        )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.email == "pien@nieuw.example"
    assert [message.to for message in mail.outbox] == [[old], ["pien@nieuw.example"]]
    notice, new_link = mail.outbox
    assert notice.extra_headers["Content-Language"] == "en"  # the language of the enrolment
    assert "Werkzaak staff changed the email address" in notice.body
    assert "pien@nieuw.example" not in notice.body  # the old address may be the wrong one
    assert "/mijn/" not in notice.body  # no personal link
    # The links in the old mailbox stop working; the new one goes to the new address.
    new_token = participant.enrolments.get().token
    assert new_token != old_token
    assert new_token in new_link.body
    assert new_link.extra_headers["Content-Language"] == "en"
    row = ScheduledMessage.objects.get(kind="email_changed")
    assert (row.status, row.context) == ("sent", {"by_themselves": False})  # the old address is forgotten
    entry = LogEntry.objects.get_for_object(participant).filter(action=LogEntry.Action.UPDATE).get()
    assert (entry.actor, entry.changes_dict["email"]) == (world["staff"], [old, "pien@nieuw.example"])


def test_the_admin_shows_an_existing_persons_address_read_only_and_a_forged_post_changes_nothing(
    client, world, django_capture_on_commit_callbacks
):
    participant = world["people"]["participant"]
    old = participant.email
    client.force_login(UserFactory(is_superuser=True, two_factor=True))  # the admin: superusers only
    url = reverse("admin:dissemination_person_change", args=[participant.pk])
    page = client.get(url).content.decode()
    assert 'name="email"' not in page
    assert old in page
    with translation.override("nl"):
        assert str(PersonAdminForm.Meta.help_texts["email"]) in page  # where to change it instead
    data = {
        "first_name": "Pieneke",
        "last_name": "Deelnemer",
        "email": "kaper@example.org",
        "phone": "",
        "function": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.first_name, participant.email) == ("Pieneke", old)  # the rest does change
    assert mail.outbox == []
    assert not ScheduledMessage.objects.exists()
    # A new person's address is typed in the admin's add form, as on the app's.
    assert 'name="email"' in client.get(reverse("admin:dissemination_person_add")).content.decode()


def test_an_address_that_only_changes_case_is_no_change(world):
    participant = world["people"]["participant"]
    OutreachContactFactory(logged_by=world["a"], organisation=world["organisation"], person=participant)
    person_save(person=participant, data={"email": participant.email.upper()}, by=world["a"])
    assert not ScheduledMessage.objects.filter(kind="email_changed").exists()


def test_no_notice_for_a_person_no_mail_went_to(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person_save(person=world["people"]["b_contact"], data={"email": "bea@elders.example"}, by=world["staff"])
    assert mail.outbox == []


# --- existing rows: who added them comes from the audit trail -------------------------------------


def test_the_migration_takes_who_added_a_person_from_the_audit_trail(world):
    migration = importlib.import_module("dissemination.migrations.0009_person_added_by")
    person_type = ContentType.objects.get_for_model(Person)
    kept = world["people"]["a_added"]
    by_a = PersonFactory()
    by_nobody = PersonFactory()
    Person.objects.update(added_by=None)
    LogEntry.objects.filter(content_type=person_type).delete()
    LogEntry.objects.create(
        content_type=person_type, object_id=by_a.pk, object_pk=str(by_a.pk), object_repr="x", action=0, actor=world["a"]
    )
    LogEntry.objects.create(
        content_type=person_type, object_id=by_nobody.pk, object_pk=str(by_nobody.pk), object_repr="x", action=0
    )
    LogEntry.objects.create(  # a change, not the creation
        content_type=person_type, object_id=kept.pk, object_pk=str(kept.pk), object_repr="x", action=1, actor=world["b"]
    )
    migration.added_by_from_audit_trail(apps, None)
    added = dict(Person.objects.values_list("pk", "added_by"))
    assert (added[by_a.pk], added[by_nobody.pk], added[kept.pk]) == (world["a"].pk, None, None)
