"""The one way to find or add a person and an organisation (dissemination.services.relations), which
enrolment, outreach and ambassador invitations use; and the one spreadsheet reader of the imports."""

import pytest
from django.core.exceptions import ValidationError

from dissemination.models import Organisation, Person, Region
from dissemination.services.imports import spreadsheet_read
from dissemination.services.relations import PERSON_FILLABLE, organisation_find_or_add, person_find_or_add
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_person_is_found_by_address_whatever_its_case_and_keeps_what_they_hold():
    person = PersonFactory(email="anna@example.org", first_name="Anna", phone="", organisation=None)
    employer = OrganisationFactory()
    found = person_find_or_add(
        email=" ANNA@example.org ",
        first_name="Annie",
        last_name="Bakker",
        phone="0612345678",
        organisation=employer,
        fill_empty=PERSON_FILLABLE,
    )
    assert found.pk == person.pk
    person.refresh_from_db()
    assert (person.first_name, person.phone, person.organisation) == ("Anna", "0612345678", employer)
    assert Person.objects.count() == 1


def test_without_fill_empty_a_person_found_is_left_as_it_is():
    person = PersonFactory(email="anna@example.org", phone="")
    person_find_or_add(email="anna@example.org", first_name="Anna", last_name="Bakker", phone="0612345678")
    person.refresh_from_db()
    assert person.phone == ""


def test_a_new_person_records_who_added_them():
    ambassador = UserFactory(roles=["ambassador"])
    person = person_find_or_add(email="nieuw@example.org", first_name="Nina", last_name="Nieuw", added_by=ambassador)
    assert (person.email, person.added_by) == ("nieuw@example.org", ambassador)
    visitor = person_find_or_add(email="bezoeker@example.org", first_name="Bas", last_name="Bezoeker")
    assert visitor.added_by is None


def test_an_empty_address_finds_nobody_and_adds_a_person():
    PersonFactory(email="", first_name="Anna", last_name="Bakker")
    person_find_or_add(email="", first_name="Anna", last_name="Bakker")
    assert Person.objects.filter(first_name="Anna", last_name="Bakker").count() == 2


def test_check_existing_refuses_a_person_found_before_anything_changes():
    person = PersonFactory(email="anna@example.org", organisation=None)

    def refuse(found):
        raise ValidationError({"person_email": "nee"})

    with pytest.raises(ValidationError):
        person_find_or_add(
            email="anna@example.org",
            first_name="Anna",
            last_name="Bakker",
            organisation=OrganisationFactory(),
            fill_empty=("organisation",),
            check_existing=refuse,
        )
    person.refresh_from_db()
    assert person.organisation is None


def test_only_fillable_fields_can_be_filled():
    with pytest.raises(ValueError, match="not a fillable person field"):
        person_find_or_add(email="anna@example.org", first_name="A", last_name="B", fill_empty=("email",))


def test_the_same_name_in_the_same_city_is_the_same_organisation():
    known = OrganisationFactory(name="Bakkerij De Linge", city="Tiel")
    region = Region.objects.get(name="Rivierenland")
    found = organisation_find_or_add(name=" bakkerij de linge ", city="TIEL", target_group="employers", region=region)
    assert found.pk == known.pk
    assert Organisation.objects.count() == 1


def test_a_near_identical_name_is_added_and_a_participants_one_is_marked():
    OrganisationFactory(name="Bakkerij De Linge B.V.", city="Tiel")
    region = Region.objects.get(name="Rivierenland")
    added = organisation_find_or_add(
        name="Bakkerij De Linge", city="Tiel", target_group="employers", region=region, named_by_participant=True
    )
    assert added.named_by_participant_at is not None
    assert Organisation.objects.count() == 2


def test_the_reader_fills_up_a_short_row_and_leaves_out_empty_rows():
    content = b"name;city;extra\nBakkerij;Tiel;x\nGarage\n;;\n"
    dataset = spreadsheet_read(
        content=content, filename="a.csv", columns=["name", "city"], required=["name"], no_rows="no rows"
    )
    assert dataset.headers == ["name", "city"]
    assert list(dataset) == [("Bakkerij", "Tiel"), ("Garage", None)]
