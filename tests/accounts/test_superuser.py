"""A superuser without a role never half-works (issue 15): it counts as staff everywhere."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorwijs.accounts.roles import Role
from tests.factories import LocationFactory, UserFactory
from trainings.models import Training

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    user = UserFactory(is_superuser=True, two_factor=True)
    client.force_login(user)
    return user


def test_a_superuser_acts_as_staff_without_holding_the_role(root):
    assert root.roles == {Role.STAFF}
    assert root.held_roles == frozenset()
    assert not root.groups.exists()
    assert root.has_perm("trainings.browse_trainings")
    assert not root.has_perm("ambassadors.request_certification")  # staff's answer, not "yes to all"


def test_a_superuser_opens_the_run_it_created(client, root):
    location = LocationFactory()
    day = timezone.localdate() + timedelta(days=21)
    data = {
        "title": "Mentorwijs Culemborg",
        "variant": "standard",
        "region": str(location.region_id),
        "capacity": "12",
        "local_adaptations": "",
        "first_meeting_date": day.isoformat(),
        "first_meeting_start": "17:30",
        "first_meeting_end": "20:30",
        "location": str(location.pk),
    }
    assert client.post(reverse("trainings:training_create"), data).status_code == 302
    training = Training.objects.get(title="Mentorwijs Culemborg")

    page = client.get(reverse("trainings:training_detail", args=[training.pk]))
    assert page.status_code == 200
    assert "Mentorwijs Culemborg" in page.content.decode()
    assert client.get(reverse("trainings:meetings_update", args=[training.pk])).status_code == 200


def test_a_superusers_home_page_is_staffs(client, root):
    page = client.get(reverse("overview:home")).content.decode()
    assert "Werkzaak-medewerker" in page  # "You work in Mentorwijs as: Werkzaak staff"
    assert "Je hebt nog geen rol" not in page
    assert 'data-role="staff"' in page
    assert reverse("ambassadors:my_certification") not in page  # no "request a certification"
    assert reverse("ambassadors:my_profile") not in page
    assert reverse("trainings:training_list") in page
