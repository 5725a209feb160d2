import pytest
from django.urls import reverse

from tests.factories import EnrolmentFactory, LocationFactory

pytestmark = pytest.mark.django_db


def test_staff_look_up_enrolments_in_the_admin_but_change_them_only_in_the_app(staff_client):
    enrolment = EnrolmentFactory(status="registered")
    change_url = reverse("admin:trainings_enrolment_change", args=[enrolment.pk])
    assert staff_client.get(change_url).status_code == 200  # the read-only view
    response = staff_client.post(change_url, {"status": "cancelled", "training": enrolment.training_id})
    assert response.status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.status == "registered"
    assert staff_client.get(reverse("admin:trainings_training_add")).status_code == 403
    assert staff_client.post(reverse("admin:trainings_meeting_delete", args=[1])).status_code in (403, 404)


def test_locations_are_plain_data_staff_may_edit_in_the_admin(staff_client):
    location = LocationFactory(name="Zaal A")
    response = staff_client.get(reverse("admin:trainings_location_change", args=[location.pk]))
    assert response.status_code == 200
    assert 'name="name"' in response.content.decode()
