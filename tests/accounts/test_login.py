import pytest
from django.core import mail
from django.urls import reverse

from mentorwijs.accounts.two_factor import current_totp_code
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_by_email_lands_on_home(client):
    # Without a role, so without the code step (test_staff_login_asks_for_the_two_factor_code).
    user = UserFactory(email="trainer@example.org")
    response = login(client, "Trainer@Example.org")
    assert response.status_code == 302
    assert response.url == reverse("overview:home")
    assert client.get(reverse("overview:home")).context["user"] == user


def test_wrong_password_is_refused_with_message(client):
    UserFactory(email="trainer@example.org")
    response = login(client, "trainer@example.org", "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors


def test_unverified_email_must_be_verified_before_login(client):
    UserFactory(email="nieuw@example.org", verified=False)
    response = login(client, "nieuw@example.org")
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert mail.outbox[0].to == ["nieuw@example.org"]


def test_failed_logins_are_rate_limited_per_account(client):
    UserFactory(email="doelwit@example.org")
    for _attempt in range(5):
        login(client, "doelwit@example.org", "wrong-password")
    response = login(client, "doelwit@example.org")  # even the right password is refused now
    assert "_auth_user_id" not in client.session
    assert "Te veel inlogpogingen" in response.content.decode()


def test_admin_login_goes_through_the_rate_limited_login(client):
    UserFactory(email="beheer@example.org", roles=["staff"], two_factor=True)
    for _attempt in range(5):
        login(client, "beheer@example.org", "wrong-password")
    response = client.get("/beheer/login/?next=/beheer/")
    assert response.status_code == 302
    assert response.url == reverse("account_login") + "?next=%2Fbeheer%2F"
    refused = client.post(response.url, {"login": "beheer@example.org", "password": PASSWORD})
    assert "Te veel inlogpogingen" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_does_not_reveal_whether_an_address_exists(client):
    UserFactory(email="bekend@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "bekend@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "onbekend@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("account_reset_password_done")
    reset_mail = next(m for m in mail.outbox if m.to == ["bekend@example.org"])
    assert "/accounts/password/reset/key/" in reset_mail.body


def test_logout_needs_post(client):
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("account_logout"))
    assert client.session.get("_auth_user_id") == str(user.pk)
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", ["staff", "master_trainer", "trainer", "ambassador"])
def test_login_asks_every_role_for_the_two_factor_code(client, role):
    user = UserFactory(email="iemand@example.org", roles=[role])
    response = login(client, "iemand@example.org")
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(user.totp_secret)})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_pages_require_login(client):
    for url in [reverse("overview:home"), reverse("accounts:invitation_list"), reverse("outbox:list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
