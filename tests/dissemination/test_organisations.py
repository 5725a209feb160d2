import pytest
from django.db import IntegrityError
from django.urls import reverse

from dissemination.enums import TargetGroup
from dissemination.models import Region
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_35_labour_market_regions_are_data():
    assert Region.objects.count() == 35
    assert Region.objects.filter(name="Rivierenland").exists()


def test_kvk_number_is_unique_when_given():
    OrganisationFactory(kvk_number="")
    OrganisationFactory(kvk_number="")
    OrganisationFactory(kvk_number="12345678")
    with pytest.raises(IntegrityError):
        OrganisationFactory(kvk_number="12345678")


@pytest.mark.parametrize("role", ["staff", "ambassador"])
def test_staff_and_ambassadors_filter_organisations(client, role):
    client.force_login(UserFactory(roles=[role], two_factor=True))
    school = OrganisationFactory(name="Praktijkschool Test", target_group=TargetGroup.SCHOOLS)
    OrganisationFactory(name="Bakkerij Test", target_group=TargetGroup.EMPLOYERS)
    response = client.get(reverse("dissemination:organisation_list"), {"target_group": "schools"})
    assert list(response.context["object_list"]) == [school]


def test_search_matches_name_and_city(client):
    client.force_login(UserFactory(roles=["ambassador"]))
    bakery = OrganisationFactory(name="Bakkerij Linge", city="Tiel")
    OrganisationFactory(name="Hovenier", city="Culemborg")
    response = client.get(reverse("dissemination:organisation_list"), {"q": "linge"})
    assert list(response.context["object_list"]) == [bakery]


def test_trainers_may_not_browse_organisations(client):
    OrganisationFactory(name="Bakkerij Geheim")
    client.force_login(UserFactory(roles=["trainer"]))
    response = client.get(reverse("dissemination:organisation_list"))
    assert response.status_code == 403
    content = response.content.decode()
    assert "Deze pagina is niet voor jouw rol" in content
    assert "Bakkerij Geheim" not in content


@pytest.mark.parametrize("rows", [1, 40])
def test_organisation_list_runs_fixed_queries(client, django_assert_num_queries, rows):
    client.force_login(UserFactory(roles=["ambassador"]))
    OrganisationFactory.create_batch(rows)
    with django_assert_num_queries(4):
        response = client.get(reverse("dissemination:organisation_list"))
    assert len(response.context["object_list"]) == min(rows, 25)
