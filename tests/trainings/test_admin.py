import pytest
from django.urls import reverse

from tests.factories import EnrolmentFactory, LocationFactory

pytestmark = pytest.mark.django_db


def test_the_admin_looks_enrolments_up_but_changes_them_only_in_the_app(superuser_client):
    enrolment = EnrolmentFactory(status="registered")
    change_url = reverse("admin:trainings_enrolment_change", args=[enrolment.pk])
    assert superuser_client.get(change_url).status_code == 200  # the read-only view
    response = superuser_client.post(change_url, {"status": "cancelled", "training": enrolment.training_id})
    assert response.status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.status == "registered"
    assert superuser_client.get(reverse("admin:trainings_training_add")).status_code == 403
    assert superuser_client.post(reverse("admin:trainings_meeting_delete", args=[1])).status_code in (403, 404)


def test_locations_are_plain_data_a_superuser_may_edit_in_the_admin(superuser_client):
    location = LocationFactory(name="Zaal A")
    response = superuser_client.get(reverse("admin:trainings_location_change", args=[location.pk]))
    assert response.status_code == 200
    assert 'name="name"' in response.content.decode()
