"""Sorting the team list (issue 17, lists)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_team_list_sorts_by_name_address_and_last_login(staff_client, staff_user):
    staff_user.first_name, staff_user.last_name, staff_user.email = "Mira", "Staf", "m@example.org"
    staff_user.last_login = timezone.now()
    staff_user.save()
    UserFactory(first_name="anna", last_name="Smit", email="z@example.org", last_login=timezone.now() - timedelta(9))
    UserFactory(first_name="Bert", last_name="Bos", email="a@example.org", last_login=None)

    def names(**query):
        response = staff_client.get(reverse("accounts:team_list"), query)
        return [account.first_name for account in response.context["object_list"]]

    assert names(sort="name") == ["anna", "Bert", "Mira"]  # without regard to case
    assert names(sort="-name") == ["Mira", "Bert", "anna"]
    assert names(sort="email") == ["Bert", "Mira", "anna"]
    assert names(sort="last_login") == ["anna", "Mira", "Bert"]  # never logged in: last
    assert names(sort="-last_login") == ["Mira", "anna", "Bert"]
    assert names(sort="-name", q="b") == ["Bert"]
