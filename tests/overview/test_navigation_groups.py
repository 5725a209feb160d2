"""The bar groups the links of someone with several roles per area, so it fits at 1280 px (measured in
tests/e2e/test_menu_roles.py); one role keeps its links side by side."""

import pytest
from django.urls import reverse

from mentorwijs.accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def bar(client):
    items = client.get(reverse("overview:home")).context["nav_items"]
    return [item["area"] if "area" in item else item["link"]["key"] for item in items]


def test_one_role_keeps_its_links_side_by_side(client):
    client.force_login(UserFactory(roles=["staff"]))
    assert bar(client) == [
        "trainings",
        "organisations",
        "outreach",
        "dashboard",
        "evaluations",
        "quality",
        "ambassadors",
    ]


def test_all_roles_get_one_dropdown_per_area(client):
    client.force_login(UserFactory(roles=list(Role)))
    items = client.get(reverse("overview:home")).context["nav_items"]
    assert [(item["area"], [link["key"] for link in item["links"]]) for item in items] == [
        ("trainings", ["trainings", "evaluations", "quality"]),
        ("dissemination", ["organisations", "outreach", "dashboard", "ambassadors"]),
        ("trainer", ["certification", "open_runs"]),
    ]
    content = client.get(reverse("overview:home")).content.decode()
    assert 'data-nav-area="trainer"' in content
    assert "Als trainer" in content


def test_a_grouped_area_is_marked_active_on_its_pages(client):
    client.force_login(UserFactory(roles=list(Role)))
    items = client.get(reverse("ambassadors:open_runs")).context["nav_items"]
    assert [item["area"] for item in items if item["active"]] == ["trainer"]
