import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def nav_keys(client):
    response = client.get(reverse("overview:home"))
    assert response.status_code == 200
    return [link["key"] for link in response.context["nav_links"]]


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (
            ["staff"],
            [
                "trainings",
                "organisations",
                "outreach",
                "dashboard",
                "evaluations",
                "quality",
                "ambassadors",
                "team",
                "invitations",
                "settings",
                "outbox",
                "privacy",
            ],
        ),
        (["master_trainer"], ["trainings", "dashboard", "evaluations", "certification", "open_runs", "quality"]),
        (["trainer"], ["trainings", "certification", "open_runs"]),
        (["ambassador"], ["organisations", "outreach", "dashboard"]),
        (
            ["trainer", "ambassador"],
            ["trainings", "organisations", "outreach", "dashboard", "certification", "open_runs"],
        ),
        ([], []),
    ],
)
def test_each_role_sees_only_what_it_may_use(client, settings, roles, expected):
    settings.EMAIL_BACKEND = "mentorwijs.outbox.backends.OutboxBackend"
    client.force_login(UserFactory(roles=roles, two_factor=True))
    assert nav_keys(client) == expected


def test_a_superuser_sees_staffs_links_and_the_admin(client, settings):
    settings.EMAIL_BACKEND = "mentorwijs.outbox.backends.OutboxBackend"
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    staff = nav_keys(client)
    client.force_login(UserFactory(is_superuser=True, two_factor=True))
    assert nav_keys(client) == [*staff, "admin"]


def test_home_names_the_roles_and_their_tasks(client):
    client.force_login(UserFactory(first_name="Ingrid", roles=["trainer", "ambassador"]))
    content = client.get(reverse("overview:home")).content.decode()
    assert "Welkom, Ingrid" in content
    assert 'data-role="trainer"' in content
    assert 'data-role="ambassador"' in content
    assert 'data-role="staff"' not in content


def test_caught_mail_link_is_hidden_when_mail_really_goes_out(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    assert "outbox" not in nav_keys(client)


def test_the_settings_page_lists_the_settings_staff_may_change(client):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    response = client.get(reverse("overview:settings"))
    assert [link["key"] for link in response.context["settings_links"]] == [
        "locations",
        "completion_rules",
        "mailing_lists",
        "renewal_rules",
        "refreshers",
        "policy",
    ]
    content = response.content.decode()
    assert reverse("trainings:location_list") in content
    assert reverse("trainings:completion_rules") in content
    assert "Afronding per variant" in content
    assert "Termijnen en grenzen" in content


@pytest.mark.parametrize("roles", [["trainer"], ["master_trainer"], ["ambassador"]])
def test_the_settings_page_is_refused_to_other_roles(client, roles):
    client.force_login(UserFactory(roles=roles, two_factor=True))
    assert client.get(reverse("overview:settings")).status_code == 403
    assert "settings" not in nav_keys(client)
