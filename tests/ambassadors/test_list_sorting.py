"""Sorting the ambassador list (issue 17, lists)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Region
from tests.factories import AmbassadorFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_ambassador_list_sorts_by_name_kind_organisation_and_region(staff_client):
    now = timezone.now()
    AmbassadorFactory(
        user=UserFactory(first_name="Bo", roles=["ambassador"]),
        kind="trainer",
        organisation=OrganisationFactory(name="Zorg"),
        created_at=now - timedelta(days=2),
    )
    AmbassadorFactory(
        user=UserFactory(first_name="anna", roles=["ambassador"]),
        kind="professional",
        organisation=OrganisationFactory(name="bakkerij"),
        region=Region.objects.get(name="Achterhoek"),
        created_at=now,
    )
    AmbassadorFactory(
        user=UserFactory(first_name="Cas", roles=["ambassador"]),
        kind="trained_supervisor",
        created_at=now - timedelta(days=1),
    )

    def names(**query):
        response = staff_client.get(reverse("ambassadors:ambassador_list"), query)
        return [ambassador.user.first_name for ambassador in response.context["object_list"]]

    assert names() == ["anna", "Cas", "Bo"]  # the newest first, as before
    assert names(sort="name") == ["anna", "Bo", "Cas"]
    assert names(sort="-name") == ["Cas", "Bo", "anna"]
    assert names(sort="kind") == ["Cas", "anna", "Bo"]  # trained supervisor, professional, trainer
    assert names(sort="organisation") == ["anna", "Bo", "Cas"]  # none: last
    assert names(sort="-organisation") == ["Bo", "anna", "Cas"]
    assert names(sort="region") == ["anna", "Bo", "Cas"]  # Achterhoek, then Rivierenland by pk
