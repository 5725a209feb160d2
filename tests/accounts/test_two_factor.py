import json

import pytest
from django.urls import reverse

from mentorwijs.accounts.models import User
from mentorwijs.accounts.two_factor import current_totp_code
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

SETUP_URL = reverse("accounts:two_factor_setup")
ROLES = ["staff", "master_trainer", "trainer", "ambassador"]


def log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.mark.parametrize("role", ROLES)
def test_every_role_without_two_factor_is_sent_to_the_setup_page_first(client, role):
    client.force_login(UserFactory(roles=[role], two_factor=False))
    for url in [reverse("overview:home"), reverse("dissemination:organisation_list"), "/beheer/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == SETUP_URL
    # Their account pages stay open, so they can set it up and log out.
    assert client.get(reverse("mfa_index")).status_code == 200


def test_superuser_without_a_role_is_sent_to_the_setup_page_too(client):
    client.force_login(User.objects.create_superuser("root@example.org", "x" * 12))
    assert client.get(reverse("overview:home")).url == SETUP_URL


def test_setup_page_offers_a_passkey_and_an_authenticator_app(client):
    client.force_login(UserFactory(roles=["trainer"], two_factor=False))
    response = client.get(SETUP_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tweestapsverificatie instellen" in page
    passkey, app = page.index('data-choice="passkey"'), page.index('data-choice="totp"')
    assert passkey < app  # the easy way on a phone comes first
    assert f'href="{reverse("mfa_add_webauthn")}"' in page[passkey:app]
    assert f'href="{reverse("mfa_activate_totp")}"' in page[app:]


def test_setup_page_sends_a_user_with_two_factor_to_manage_it(client):
    client.force_login(UserFactory(roles=["trainer"]))
    assert client.get(SETUP_URL).url == reverse("mfa_index")


def test_user_without_a_role_may_work_without_two_factor_and_is_invited_to_set_it_up(client):
    client.force_login(UserFactory())
    response = client.get(reverse("overview:home"))
    assert response.status_code == 200
    assert response.context["two_factor_enabled"] is False
    assert f'href="{SETUP_URL}"' in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_with_two_factor_gets_in(client, role):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("overview:home"))
    assert response.status_code == 200
    assert response.context["two_factor_enabled"] is True
    assert f'href="{SETUP_URL}"' not in response.content.decode()


def test_new_trainer_logs_in_and_reaches_the_setup_page(client):
    UserFactory(email="nieuw@example.org", roles=["trainer"], two_factor=False)
    response = log_in(client, "nieuw@example.org")
    assert client.get(response.url).url == SETUP_URL
    # allauth asks for the password once more before a security change, then shows the passkey form.
    response = client.get(reverse("mfa_add_webauthn"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_add_webauthn"))
    assert response.status_code == 200
    options = response.context["js_data"]["creation_options"]["publicKey"]
    assert options["rp"]["id"] == "testserver"
    assert options["user"]["name"] == "nieuw@example.org"
    page = response.content.decode()
    assert 'id="id_passwordless" checked' in page  # a passkey signs in on its own unless turned off
    # The authenticator app is the other way.
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_trainer_logs_in_with_password_and_the_code(client):
    user = UserFactory(email="trainer@example.org", roles=["trainer"])
    response = log_in(client, "trainer@example.org")
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(user.totp_secret)})
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("overview:home")).status_code == 200


def test_login_page_offers_passkey_login(client):
    page = client.get(reverse("account_login")).content.decode()
    assert 'id="passkey_login"' in page
    assert f'action="{reverse("mfa_login_webauthn")}"' in page
    assert "mfa/js/webauthn.js" in page
    # The button fetches a challenge for any passkey of this site (no user named yet).
    response = client.get(reverse("mfa_login_webauthn"), HTTP_ACCEPT="application/json")
    options = json.loads(response.content)["request_options"]["publicKey"]
    assert options["rpId"] == "testserver"
    assert options["challenge"]
    assert options["userVerification"] == "required"


def test_admin_is_for_superusers_with_two_factor_only(client):
    client.force_login(UserFactory(is_superuser=True, two_factor=True))
    assert client.get("/beheer/").status_code == 200
    OrganisationFactory(name="Bakkerij Beheer")
    changelist = client.get("/beheer/dissemination/organisation/")
    assert changelist.status_code == 200
    assert "Bakkerij Beheer" in changelist.content.decode()
    for role in ["trainer", "staff"]:  # staff too: the admin is a superuser's last resort (issue 15)
        client.force_login(UserFactory(roles=[role]))
        response = client.get("/beheer/")
        assert response.status_code == 302
        assert "/login/" in response.url


def test_navigation_offers_only_the_setup_until_two_factor_is_set_up(client):
    UserFactory(email="nieuw@example.org", roles=["ambassador"], two_factor=False)
    log_in(client, "nieuw@example.org")
    response = client.get(SETUP_URL)
    assert response.status_code == 200
    assert response.context["nav_links"] == []
    page = response.content.decode()
    assert 'data-testid="two-factor-setup"' in page
    assert reverse("overview:home") + '"' not in page.split('data-testid="nav"')[1].split("</ul>")[0]
    assert reverse("ambassadors:my_profile") not in page
