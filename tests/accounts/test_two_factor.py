import pytest
from django.urls import reverse

from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["staff", "master_trainer"])
def test_role_without_totp_is_sent_to_setup_first(client, role):
    client.force_login(UserFactory(roles=[role]))
    for url in [reverse("overview:home"), reverse("dissemination:organisation_list"), "/beheer/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")


def test_new_staff_member_logs_in_and_reaches_the_setup_page(client):
    UserFactory(email="nieuw@example.org", roles=["staff"])
    response = client.post(reverse("account_login"), {"login": "nieuw@example.org", "password": PASSWORD})
    assert client.get(response.url).url == reverse("mfa_activate_totp")
    # allauth asks for the password once more before a security change.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert "totp_svg" in response.context


@pytest.mark.parametrize("role", ["trainer", "ambassador"])
def test_other_roles_may_work_without_totp(client, role):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("overview:home"))
    assert response.status_code == 200
    assert response.context["two_factor_enabled"] is False


def test_staff_with_totp_gets_in(client):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    response = client.get(reverse("overview:home"))
    assert response.status_code == 200
    assert response.context["two_factor_enabled"] is True


def test_admin_is_for_staff_with_totp_only(client):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    assert client.get("/beheer/").status_code == 200
    OrganisationFactory(name="Bakkerij Beheer")
    changelist = client.get("/beheer/dissemination/organisation/")
    assert changelist.status_code == 200
    assert "Bakkerij Beheer" in changelist.content.decode()
    client.force_login(UserFactory(roles=["trainer"]))
    response = client.get("/beheer/")
    assert response.status_code == 302
    assert "/login/" in response.url


def test_navigation_stays_empty_until_two_factor_is_set_up(client):
    UserFactory(email="nieuw@example.org", roles=["staff"])
    client.post(reverse("account_login"), {"login": "nieuw@example.org", "password": PASSWORD})
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 200
    assert response.context["nav_links"] == []
