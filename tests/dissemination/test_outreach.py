from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dissemination.enums import Stage, TargetGroup
from dissemination.models import Organisation, OutreachContact, Person, Region
from dissemination.services.outreach import OTHER_ORGANISATION_EMAIL
from tests.factories import OrganisationFactory, OutreachContactFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "a": UserFactory(roles=["ambassador"]),
        "b": UserFactory(roles=["ambassador"]),
        "staff": UserFactory(roles=["staff"], two_factor=True),
        "trainer": UserFactory(roles=["trainer"]),
    }


@pytest.fixture
def contact_of_a(people):
    return OutreachContactFactory(
        logged_by=people["a"],
        notes="Vervolggesprek met de directeur",
        follow_up_on=timezone.localdate() + timedelta(days=3),
    )


def _url(name, contact):
    if name in ("contact_detail", "contact_follow_up_done", "contact_reassign"):
        return reverse(f"dissemination:{name}", args=[contact.pk])
    if name == "organisation_outreach":
        return reverse("dissemination:organisation_outreach", args=[contact.organisation_id])
    if name == "organisation_search":
        return reverse("dissemination:organisation_search") + "?q=Organisatie"
    return reverse(f"dissemination:{name}")


# Per URL: status for ambassador A (the contact's own), ambassador B, staff, trainer.
MATRIX = [
    ("contact_list", "get", {"a": 200, "b": 200, "staff": 200, "trainer": 403}),
    ("contact_log", "get", {"a": 200, "b": 200, "staff": 200, "trainer": 403}),
    ("contact_detail", "get", {"a": 200, "b": 404, "staff": 200, "trainer": 403}),
    ("contact_follow_up_done", "post", {"a": 302, "b": 404, "staff": 302, "trainer": 403}),
    ("contact_reassign", "get", {"a": 403, "b": 403, "staff": 200, "trainer": 403}),
    ("follow_up_list", "get", {"a": 200, "b": 200, "staff": 200, "trainer": 403}),
    ("organisation_outreach", "get", {"a": 200, "b": 200, "staff": 200, "trainer": 403}),
    ("organisation_search", "get", {"a": 200, "b": 200, "staff": 200, "trainer": 403}),
]


@pytest.mark.parametrize(("name", "method", "expected"), MATRIX)
@pytest.mark.parametrize("who", ["a", "b", "staff", "trainer"])
def test_each_outreach_url_answers_each_role_as_intended(client, people, contact_of_a, name, method, expected, who):
    client.force_login(people[who])
    response = getattr(client, method)(_url(name, contact_of_a))
    assert response.status_code == expected[who]
    contact_of_a.refresh_from_db()
    assert contact_of_a.follow_up_done is (method == "post" and expected[who] == 302)


@pytest.mark.parametrize(("name", "method", "expected"), MATRIX)
def test_each_outreach_url_sends_anonymous_visitors_to_the_login(client, contact_of_a, name, method, expected):
    response = getattr(client, method)(_url(name, contact_of_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_contacts_hold_only_my_own(client, people, contact_of_a):
    mine = OutreachContactFactory(logged_by=people["b"])
    client.force_login(people["b"])
    response = client.get(reverse("dissemination:contact_list"))
    assert list(response.context["object_list"]) == [mine]


def test_staff_see_all_contacts_and_filter_by_ambassador(client, people, contact_of_a):
    of_b = OutreachContactFactory(logged_by=people["b"])
    client.force_login(people["staff"])
    everything = client.get(reverse("dissemination:contact_list"))
    assert set(everything.context["object_list"]) == {contact_of_a, of_b}
    filtered = client.get(reverse("dissemination:contact_list"), {"logged_by": people["b"].pk})
    assert list(filtered.context["object_list"]) == [of_b]


def test_an_ambassador_cannot_filter_to_see_others(client, people, contact_of_a):
    client.force_login(people["b"])
    response = client.get(reverse("dissemination:contact_list"), {"logged_by": people["a"].pk})
    assert list(response.context["object_list"]) == []


def _log_data(**overrides):
    data = {
        "organisation_name": "Bakkerij De Linge",
        "organisation": "",
        "organisation_city": "Tiel",
        "organisation_target_group": TargetGroup.EMPLOYERS,
        "organisation_region": Region.objects.get(name="Rivierenland").pk,
        "person": "",
        "person_first_name": "Sanne",
        "person_last_name": "de Vries",
        "person_email": "sanne@bakkerij.example",
        "date": timezone.localdate().isoformat(),
        "channel": "conversation",
        "stage": "interested",
        "materials": ["factsheet", "handbook"],
        "key_messages": ["free", "added_value"],
        "notes": "Wil een tweede gesprek",
        "follow_up_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }
    data.update(overrides)
    return data


def test_logging_with_a_new_organisation_and_a_new_person(client, people):
    client.force_login(people["a"])
    response = client.post(reverse("dissemination:contact_log"), _log_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("dissemination:contact_list")
    contact = OutreachContact.objects.get()
    organisation = Organisation.objects.get(name="Bakkerij De Linge")
    person = Person.objects.get(email="sanne@bakkerij.example")
    assert (organisation.city, organisation.target_group, organisation.region.name) == (
        "Tiel",
        "employers",
        "Rivierenland",
    )
    assert (person.first_name, person.last_name, person.organisation) == ("Sanne", "de Vries", organisation)
    assert contact.logged_by == people["a"]
    assert contact.organisation == organisation
    assert contact.person == person
    assert contact.stage == "interested"
    assert contact.materials == ["handbook", "factsheet"]
    assert contact.key_messages == ["added_value", "free"]
    assert contact.follow_up_on == timezone.localdate() + timedelta(days=10)
    assert contact.follow_up_done is False


def test_logging_with_a_picked_organisation_and_no_person(client, people):
    organisation = OrganisationFactory(name="Gemeente Tiel")
    client.force_login(people["a"])
    data = _log_data(
        organisation_name="Gemeente Tiel",
        organisation=organisation.pk,
        organisation_city="",
        organisation_target_group="",
        organisation_region="",
        person_first_name="",
        person_last_name="",
        person_email="",
        materials=[],
        key_messages=[],
        follow_up_on="",
    )
    response = client.post(reverse("dissemination:contact_log"), data)
    assert response.status_code == 302
    contact = OutreachContact.objects.get()
    assert (contact.organisation, contact.person, contact.follow_up_on) == (organisation, None, None)
    assert Organisation.objects.count() == 1


def test_a_new_organisation_needs_its_kind_and_region(client, people):
    client.force_login(people["a"])
    response = client.post(
        reverse("dissemination:contact_log"), _log_data(organisation_target_group="", organisation_region="")
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"organisation_target_group", "organisation_region"}
    assert OutreachContact.objects.count() == 0
    assert Organisation.objects.filter(name="Bakkerij De Linge").count() == 0


def test_a_person_of_another_organisation_is_refused_and_nothing_saved(client, people):
    organisation = OrganisationFactory(name="Gemeente Tiel")
    stranger = PersonFactory(organisation=OrganisationFactory(name="Elders BV"), added_by=people["a"])
    client.force_login(people["a"])
    response = client.post(
        reverse("dissemination:contact_log"),
        _log_data(organisation_name="Gemeente Tiel", organisation=organisation.pk, person=stranger.pk),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["person"]
    assert OutreachContact.objects.count() == 0
    assert Person.objects.filter(email="sanne@bakkerij.example").count() == 0


def test_the_service_refuses_a_person_of_another_organisation(people):
    from django.core.exceptions import ValidationError

    from dissemination.services.outreach import contact_log

    organisation = OrganisationFactory()
    stranger = PersonFactory(organisation=OrganisationFactory(), added_by=people["a"])
    with pytest.raises(ValidationError) as error:
        contact_log(by=people["a"], organisation=organisation, person=stranger, channel="phone", stage="informed")
    assert error.value.message_dict == {"person": [_("This person does not belong to the organisation.")]}
    assert OutreachContact.objects.count() == 0


def test_an_email_of_someone_at_another_organisation_is_refused_and_nothing_saved(client, people):
    PersonFactory(
        email="sanne@bakkerij.example", organisation=OrganisationFactory(name="Elders BV"), added_by=people["a"]
    )
    client.force_login(people["a"])
    response = client.post(reverse("dissemination:contact_log"), _log_data())
    assert response.status_code == 200
    assert response.context["form"].errors == {"person_email": [str(OTHER_ORGANISATION_EMAIL)]}
    assert OutreachContact.objects.count() == 0
    assert Organisation.objects.filter(name="Bakkerij De Linge").count() == 0


def test_a_contact_in_the_future_or_a_follow_up_before_it_is_refused(client, people):
    client.force_login(people["a"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("dissemination:contact_log"),
        _log_data(date=tomorrow.isoformat(), follow_up_on=timezone.localdate().isoformat()),
    )
    assert set(response.context["form"].errors) == {"date", "follow_up_on"}
    assert OutreachContact.objects.count() == 0


def test_the_log_form_starts_today_and_warns_about_health_data(client, people):
    client.force_login(people["a"])
    response = client.get(reverse("dissemination:contact_log"))
    form = response.context["form"]
    assert form["date"].value() == timezone.localdate()
    content = response.content.decode()
    assert 'data-testid="privacy-warning"' in content
    assert 'class="btn-check"' in content
    assert f'data-organisation-search="{reverse("dissemination:organisation_search")}"' in content


def test_the_log_form_can_start_from_an_organisation(client, people):
    organisation = OrganisationFactory(name="Gemeente Tiel")
    person = PersonFactory(organisation=organisation, added_by=people["a"])
    client.force_login(people["a"])
    response = client.get(reverse("dissemination:contact_log"), {"organisation": organisation.pk, "person": person.pk})
    assert response.context["form"].initial == {
        "organisation": organisation.pk,
        "organisation_name": "Gemeente Tiel",
        "person": str(person.pk),
    }


def test_my_contact_can_be_changed(client, people, contact_of_a):
    person = PersonFactory(organisation=contact_of_a.organisation, added_by=people["a"])
    client.force_login(people["a"])
    data = {
        "person": person.pk,
        "date": contact_of_a.date.isoformat(),
        "channel": "phone",
        "stage": "convinced",
        "materials": ["powerpoint"],
        "key_messages": [],
        "notes": "Belt terug",
        "follow_up_on": "",
    }
    response = client.post(reverse("dissemination:contact_detail", args=[contact_of_a.pk]), data)
    assert response.status_code == 302
    contact_of_a.refresh_from_db()
    assert (contact_of_a.person, contact_of_a.channel, contact_of_a.stage) == (person, "phone", "convinced")
    assert contact_of_a.materials == ["powerpoint"]
    assert (contact_of_a.notes, contact_of_a.follow_up_on) == ("Belt terug", None)


def test_another_ambassador_cannot_change_my_contact(client, people, contact_of_a):
    client.force_login(people["b"])
    response = client.post(
        reverse("dissemination:contact_detail", args=[contact_of_a.pk]),
        {"date": contact_of_a.date.isoformat(), "channel": "phone", "stage": "trained"},
    )
    assert response.status_code == 404
    contact_of_a.refresh_from_db()
    assert contact_of_a.stage == "informed"


def test_staff_hand_a_contact_to_another_ambassador(client, people, contact_of_a):
    client.force_login(people["staff"])
    response = client.post(
        reverse("dissemination:contact_reassign", args=[contact_of_a.pk]), {"to_user": people["b"].pk}
    )
    assert response.status_code == 302
    contact_of_a.refresh_from_db()
    assert contact_of_a.logged_by == people["b"]


def test_an_ambassador_cannot_hand_over_even_their_own_contact(client, people, contact_of_a):
    client.force_login(people["a"])
    response = client.post(
        reverse("dissemination:contact_reassign", args=[contact_of_a.pk]), {"to_user": people["b"].pk}
    )
    assert response.status_code == 403
    contact_of_a.refresh_from_db()
    assert contact_of_a.logged_by == people["a"]


def test_a_contact_goes_only_to_an_ambassador(client, people, contact_of_a):
    client.force_login(people["staff"])
    response = client.post(
        reverse("dissemination:contact_reassign", args=[contact_of_a.pk]), {"to_user": people["trainer"].pk}
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["to_user"]
    contact_of_a.refresh_from_db()
    assert contact_of_a.logged_by == people["a"]


def test_the_service_refuses_a_reassign_by_an_ambassador_or_to_a_trainer(people, contact_of_a):
    from django.core.exceptions import ValidationError

    from dissemination.services.outreach import contact_reassign

    with pytest.raises(ValidationError):
        contact_reassign(contact=contact_of_a, to_user=people["b"], by=people["a"])
    with pytest.raises(ValidationError) as error:
        contact_reassign(contact=contact_of_a, to_user=people["trainer"], by=people["staff"])
    assert list(error.value.error_dict) == ["to_user"]
    contact_of_a.refresh_from_db()
    assert contact_of_a.logged_by == people["a"]


def test_the_summary_shows_each_ambassador_and_the_furthest_stage_but_no_notes(client, people):
    organisation = OrganisationFactory(name="Bakkerij De Linge")
    today = timezone.localdate()
    OutreachContactFactory(
        logged_by=people["a"], organisation=organisation, stage="convinced", date=today - timedelta(days=20)
    )
    OutreachContactFactory(
        logged_by=people["a"],
        organisation=organisation,
        stage="informed",
        date=today - timedelta(days=2),
        notes="GEHEIM-A",
    )
    OutreachContactFactory(
        logged_by=people["b"],
        organisation=organisation,
        stage="interested",
        date=today - timedelta(days=5),
        notes="GEHEIM-B",
    )
    OutreachContactFactory(logged_by=people["b"], stage="trained")  # another organisation
    client.force_login(people["b"])
    response = client.get(reverse("dissemination:organisation_outreach", args=[organisation.pk]))
    assert response.context["furthest_stage"] == Stage.CONVINCED
    rows = [
        (row["logged_by"], row["contacts"], row["first_date"], row["last_date"], row["stage"])
        for row in response.context["ambassadors"]
    ]
    assert rows == [
        (people["a"].pk, 2, today - timedelta(days=20), today - timedelta(days=2), Stage.CONVINCED),
        (people["b"].pk, 1, today - timedelta(days=5), today - timedelta(days=5), Stage.INTERESTED),
    ]
    content = response.content.decode()
    assert "GEHEIM-A" not in content
    assert "GEHEIM-B" not in content


def test_the_summary_of_an_organisation_without_contacts_is_empty(client, people):
    organisation = OrganisationFactory()
    client.force_login(people["a"])
    response = client.get(reverse("dissemination:organisation_outreach", args=[organisation.pk]))
    assert (response.context["furthest_stage"], list(response.context["ambassadors"])) == (None, [])


def test_the_organisation_search_gives_at_most_ten(client, people):
    for number in range(12):
        OrganisationFactory(name=f"Bakkerij {number:02d}", city="Tiel")
    OrganisationFactory(name="Hovenier")
    client.force_login(people["a"])
    response = client.get(reverse("dissemination:organisation_search"), {"q": "bakk"})
    results = response.json()["results"]
    assert len(results) == 10
    assert results[0] == {"id": Organisation.objects.get(name="Bakkerij 00").pk, "name": "Bakkerij 00", "city": "Tiel"}
    assert client.get(reverse("dissemination:organisation_search"), {"q": "b"}).json() == {"results": []}


@pytest.mark.parametrize("rows", [5, 200])
def test_my_contacts_run_fixed_queries(client, people, django_assert_num_queries, rows):
    OutreachContactFactory.create_batch(
        rows, logged_by=people["a"], person=factory_person(), follow_up_on=timezone.localdate()
    )
    client.force_login(people["a"])
    with django_assert_num_queries(3):
        response = client.get(reverse("dissemination:contact_list"))
    assert len(response.context["object_list"]) == min(rows, 25)


@pytest.mark.parametrize("rows", [5, 200])
def test_the_staff_contact_list_runs_fixed_queries(client, people, django_assert_num_queries, rows):
    OutreachContactFactory.create_batch(rows, logged_by=people["a"])
    client.force_login(people["staff"])
    with django_assert_num_queries(5):
        response = client.get(reverse("dissemination:contact_list"), {"logged_by": people["a"].pk})
    assert len(response.context["object_list"]) == min(rows, 25)


@pytest.mark.parametrize("rows", [5, 200])
def test_the_organisation_summary_runs_fixed_queries(client, people, django_assert_num_queries, rows):
    organisation = OrganisationFactory()
    ambassadors = [UserFactory(roles=["ambassador"]) for _ in range(5)]
    for number in range(rows):
        OutreachContactFactory(logged_by=ambassadors[number % 5], organisation=organisation)
    client.force_login(people["a"])
    with django_assert_num_queries(3):
        response = client.get(reverse("dissemination:organisation_outreach", args=[organisation.pk]))
    assert sum(row["contacts"] for row in response.context["ambassadors"]) == rows


def factory_person():
    return PersonFactory()
