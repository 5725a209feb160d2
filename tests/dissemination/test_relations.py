import pytest
from django.urls import reverse

from dissemination.models import Organisation, Person, Region
from dissemination.queries.relations import organisation_name_key
from tests.factories import OrganisationFactory, OutreachContactFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def organisation_data(**overrides):
    data = {
        "name": "Bakkerij De Linge",
        "kvk_number": "12345678",
        "target_group": "employers",
        "region": Region.objects.get(name="Rivierenland").pk,
        "postcode": "4001ab",
        "city": "Tiel",
        "website": "https://bakkerij.example.org",
    }
    data.update(overrides)
    return data


def person_data(**overrides):
    data = {
        "first_name": "Anna",
        "last_name": "de Vries",
        "email": "anna@example.org",
        "phone": "0612345678",
        "function": "Teamleider",
        "organisation_name": "",
        "organisation": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def ambassador(db):
    return UserFactory(roles=["ambassador"])


@pytest.fixture
def ambassador_client(client, ambassador):
    client.force_login(ambassador)
    return client


# --- the name key ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Bakkerij De Linge",
        "bakkerij de linge B.V.",
        "  Bakkerij-De  Linge BV",
        "Bakkerij de Linge, v.o.f.",
        "Bákkerij Delinge",
    ],
)
def test_name_key_ignores_case_whitespace_punctuation_accents_and_legal_form(name):
    assert organisation_name_key(name) == "bakkerijdelinge"


# --- create and edit organisations ----------------------------------------------------------------


def test_ambassador_creates_organisation_with_normalised_postcode(ambassador_client):
    response = ambassador_client.post(reverse("dissemination:organisation_create"), organisation_data())
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("dissemination:organisation_detail", kwargs={"pk": organisation.pk})
    assert (organisation.name, organisation.kvk_number, organisation.postcode, organisation.city) == (
        "Bakkerij De Linge",
        "12345678",
        "4001 AB",
        "Tiel",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("postcode", "0123 AB"),
        ("postcode", "4001"),
        ("kvk_number", "1234567"),
        ("kvk_number", "1234567A"),
        ("website", "geen url"),
    ],
)
def test_bad_postcode_kvk_or_website_is_refused_next_to_the_field(ambassador_client, field, value):
    response = ambassador_client.post(reverse("dissemination:organisation_create"), organisation_data(**{field: value}))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not Organisation.objects.exists()


def test_kvk_number_of_another_organisation_is_refused_with_a_link(ambassador_client):
    existing = OrganisationFactory(name="Hovenier Groen", kvk_number="12345678", city="Culemborg")
    response = ambassador_client.post(reverse("dissemination:organisation_create"), organisation_data())
    form = response.context["form"]
    assert list(form.errors) == ["kvk_number"]
    assert form.kvk_owner == existing
    assert reverse("dissemination:organisation_detail", kwargs={"pk": existing.pk}) in response.content.decode()
    assert Organisation.objects.count() == 1


def test_kvk_number_cannot_be_saved_anyway(ambassador_client):
    OrganisationFactory(name="Hovenier Groen", kvk_number="12345678")
    ambassador_client.post(reverse("dissemination:organisation_create"), organisation_data(save_anyway="on"))
    assert Organisation.objects.count() == 1


def test_similar_name_in_the_same_city_asks_for_confirmation(ambassador_client):
    existing = OrganisationFactory(name="Bakkerij de Linge B.V.", city="tiel")
    url = reverse("dissemination:organisation_create")
    response = ambassador_client.post(url, organisation_data(name="BAKKERIJ DE LINGE", kvk_number=""))
    form = response.context["form"]
    assert form.similar == [existing]
    assert list(form.errors) == ["name"]
    assert 'name="save_anyway"' in response.content.decode()
    assert Organisation.objects.count() == 1

    response = ambassador_client.post(url, organisation_data(name="BAKKERIJ DE LINGE", kvk_number="", save_anyway="on"))
    assert response.status_code == 302
    assert Organisation.objects.count() == 2


def test_save_anyway_checkbox_is_not_offered_without_a_similar_organisation(ambassador_client):
    response = ambassador_client.get(reverse("dissemination:organisation_create"))
    assert response.status_code == 200
    assert 'name="save_anyway"' not in response.content.decode()


def test_same_name_in_another_city_is_no_duplicate(ambassador_client):
    OrganisationFactory(name="Bakkerij De Linge", city="Culemborg")
    response = ambassador_client.post(reverse("dissemination:organisation_create"), organisation_data())
    assert response.status_code == 302
    assert Organisation.objects.count() == 2


def test_editing_keeps_own_name_and_kvk_without_warning(ambassador_client):
    organisation = OrganisationFactory(name="Bakkerij De Linge", kvk_number="12345678", city="Tiel")
    response = ambassador_client.post(
        reverse("dissemination:organisation_update", kwargs={"pk": organisation.pk}),
        organisation_data(website="https://nieuw.example.org"),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.website == "https://nieuw.example.org"
    assert organisation.postcode == "4001 AB"


def test_renaming_to_a_similar_name_asks_for_confirmation(ambassador_client):
    other = OrganisationFactory(name="Hovenier Groen", city="Tiel")
    organisation = OrganisationFactory(name="Bakkerij De Linge", kvk_number="12345678", city="Tiel")
    response = ambassador_client.post(
        reverse("dissemination:organisation_update", kwargs={"pk": organisation.pk}),
        organisation_data(name="Hovenier groen b.v."),
    )
    assert response.context["form"].similar == [other]
    organisation.refresh_from_db()
    assert organisation.name == "Bakkerij De Linge"


def test_organisation_detail_lists_its_people(ambassador_client, ambassador):
    organisation = OrganisationFactory()
    anna = PersonFactory(organisation=organisation, first_name="Anna", last_name="Bakker", added_by=ambassador)
    PersonFactory(added_by=ambassador)
    response = ambassador_client.get(reverse("dissemination:organisation_detail", kwargs={"pk": organisation.pk}))
    assert response.context["organisation"] == organisation
    assert list(response.context["people"]) == [anna]


def test_organisation_list_links_to_the_detail_page(ambassador_client):
    organisation = OrganisationFactory()
    response = ambassador_client.get(reverse("dissemination:organisation_list"))
    assert reverse("dissemination:organisation_detail", kwargs={"pk": organisation.pk}) in response.content.decode()


# --- persons --------------------------------------------------------------------------------------


def test_ambassador_creates_person_at_a_picked_organisation(ambassador_client):
    organisation = OrganisationFactory(name="Bakkerij De Linge")
    response = ambassador_client.post(
        reverse("dissemination:person_create"),
        person_data(organisation=str(organisation.pk), organisation_name="Bakkerij De Linge"),
    )
    person = Person.objects.get()
    assert response.status_code == 302
    assert (person.email, person.organisation) == ("anna@example.org", organisation)


def test_person_organisation_found_by_exact_name_without_the_script(ambassador_client):
    organisation = OrganisationFactory(name="Bakkerij De Linge")
    ambassador_client.post(reverse("dissemination:person_create"), person_data(organisation_name="bakkerij de linge"))
    assert Person.objects.get().organisation == organisation


def test_unknown_organisation_name_is_refused(ambassador_client):
    response = ambassador_client.post(
        reverse("dissemination:person_create"), person_data(organisation_name="Bestaat Niet")
    )
    assert list(response.context["form"].errors) == ["organisation_name"]
    assert not Person.objects.exists()


def test_second_person_with_the_same_email_is_refused_with_a_link(ambassador_client, ambassador):
    existing = PersonFactory(email="Anna@Example.org", added_by=ambassador)
    response = ambassador_client.post(reverse("dissemination:person_create"), person_data(email="anna@example.ORG"))
    form = response.context["form"]
    assert list(form.errors) == ["email"]
    assert form.email_owner == existing
    assert reverse("dissemination:person_update", kwargs={"pk": existing.pk}) in response.content.decode()
    assert Person.objects.count() == 1


def test_editing_a_person_keeps_their_own_email(ambassador_client, ambassador):
    person = PersonFactory(email="anna@example.org", added_by=ambassador)
    response = ambassador_client.post(
        reverse("dissemination:person_update", kwargs={"pk": person.pk}), person_data(function="Directeur")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.function, person.organisation) == ("Directeur", None)


def test_person_list_searches_name_email_and_organisation(ambassador_client, ambassador):
    anna = PersonFactory(
        first_name="Anna", last_name="Bakker", organisation=OrganisationFactory(name="Hovenier"), added_by=ambassador
    )
    PersonFactory(
        first_name="Bert", last_name="Smit", organisation=OrganisationFactory(name="Garage"), added_by=ambassador
    )
    for q in ["anna", "bakker", anna.email, "hovenier", "anna hovenier"]:
        response = ambassador_client.get(reverse("dissemination:person_list"), {"q": q})
        assert list(response.context["object_list"]) == [anna]


def test_organisation_search_json_gives_at_most_ten(ambassador_client):
    OrganisationFactory.create_batch(12, city="Tiel")
    OrganisationFactory(name="Garage Zuid")
    response = ambassador_client.get(reverse("dissemination:organisation_search"), {"q": "organisatie"})
    assert len(response.json()["results"]) == 10


# --- list pages: a fixed number of queries ----------------------------------------------------------


def _own_and_others(ambassador, organisation, rows):
    """`rows` people of the ambassador (half added by them, half their contacts' persons) and as
    many of someone else."""
    PersonFactory.create_batch(rows - rows // 2, organisation=organisation, added_by=ambassador)
    for person in PersonFactory.create_batch(rows // 2, organisation=organisation):
        OutreachContactFactory(logged_by=ambassador, organisation=organisation, person=person)
    PersonFactory.create_batch(rows, organisation=organisation)


@pytest.mark.parametrize("rows", [5, 200])
def test_person_list_runs_fixed_queries(ambassador_client, ambassador, django_assert_num_queries, rows):
    _own_and_others(ambassador, OrganisationFactory(), rows)
    with django_assert_num_queries(3):
        response = ambassador_client.get(reverse("dissemination:person_list"))
    assert len(response.context["object_list"]) == min(rows, 25)
    assert response.context["paginator"].count == rows


@pytest.mark.parametrize("rows", [5, 200])
def test_person_list_runs_fixed_queries_for_staff(staff_client, django_assert_num_queries, rows):
    _own_and_others(UserFactory(roles=["ambassador"]), OrganisationFactory(), rows)
    with django_assert_num_queries(3):
        response = staff_client.get(reverse("dissemination:person_list"))
    assert response.context["paginator"].count == 2 * rows


@pytest.mark.parametrize("rows", [5, 200])
def test_organisation_detail_runs_fixed_queries(ambassador_client, ambassador, django_assert_num_queries, rows):
    organisation = OrganisationFactory()
    _own_and_others(ambassador, organisation, rows)
    with django_assert_num_queries(3):
        response = ambassador_client.get(reverse("dissemination:organisation_detail", kwargs={"pk": organisation.pk}))
    assert len(response.context["people"]) == rows


@pytest.mark.parametrize("rows", [5, 200])
def test_organisation_list_runs_fixed_queries_for_staff(client, django_assert_num_queries, rows):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    OrganisationFactory.create_batch(rows)
    with django_assert_num_queries(4):
        response = client.get(reverse("dissemination:organisation_list"))
    assert len(response.context["object_list"]) == min(rows, 25)


# --- permissions ----------------------------------------------------------------------------------


def relation_urls(user=None):
    organisation = OrganisationFactory()
    person = PersonFactory(organisation=organisation, added_by=user)
    return [
        reverse("dissemination:organisation_create"),
        reverse("dissemination:organisation_detail", kwargs={"pk": organisation.pk}),
        reverse("dissemination:organisation_update", kwargs={"pk": organisation.pk}),
        reverse("dissemination:person_list"),
        reverse("dissemination:person_create"),
        reverse("dissemination:person_update", kwargs={"pk": person.pk}),
    ]


def test_anonymous_visitors_are_sent_to_login(client):
    for url in relation_urls():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_trainers_get_403_on_organisation_and_person_pages(client):
    client.force_login(UserFactory(roles=["trainer"]))
    for url in relation_urls():
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["staff", "ambassador"])
def test_staff_and_ambassadors_open_organisation_and_person_pages(client, role):
    user = UserFactory(roles=[role], two_factor=True)
    client.force_login(user)
    for url in relation_urls(user):
        assert client.get(url).status_code == 200


def test_new_person_form_from_an_organisation_page_starts_with_that_organisation(ambassador_client):
    organisation = OrganisationFactory(name="Bakkerij De Linge")
    response = ambassador_client.get(reverse("dissemination:person_create"), {"organisation": organisation.pk})
    form = response.context["form"]
    assert (form.initial["organisation"], form.initial["organisation_name"]) == (organisation.pk, "Bakkerij De Linge")
