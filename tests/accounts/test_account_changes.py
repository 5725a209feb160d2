"""Changing the email address or the password asks to log in again first (password or second
factor), and the old address is told (allauth: ACCOUNT_REAUTHENTICATION_REQUIRED,
ACCOUNT_CHANGE_EMAIL, ACCOUNT_EMAIL_NOTIFICATIONS)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from mentorwijs.accounts.models import User
from mentorwijs.accounts.two_factor import current_totp_code
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

OLD = "oud@example.org"
NEW = "nieuw@example.org"
NEW_PASSWORD = "een-heel-nieuw-wachtwoord-7"
ADD_EMAIL = {"email": NEW, "action_add": ""}


@pytest.fixture
def trainer(client):
    user = UserFactory(email=OLD, roles=["trainer"])
    client.force_login(user)
    return user


def assert_sent_to_log_in_again(response, next_path):
    assert response.status_code == 302
    assert response.url == f"{reverse('account_reauthenticate')}?next={next_path.replace('/', '%2F')}"


def confirm_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", message.body).group(1)


def test_adding_an_email_address_asks_to_log_in_again_first(client, trainer):
    response = client.post(reverse("account_email"), ADD_EMAIL)

    assert_sent_to_log_in_again(response, reverse("account_email"))
    assert list(EmailAddress.objects.values_list("email", flat=True)) == [OLD]
    assert mail.outbox == []


def test_changed_address_replaces_the_old_one_once_verified_and_the_old_address_is_told(client, trainer):
    response = client.post(reverse("account_email"), ADD_EMAIL)
    # Logging in again (the form carries `next` on) carries the suspended change out.
    client.post(response.url, {"password": PASSWORD, "next": reverse("account_email")})
    assert EmailAddress.objects.get(email=NEW).verified is False
    [verification] = mail.outbox
    assert verification.to == [NEW]
    trainer.refresh_from_db()
    assert trainer.email == OLD  # not yet: the new address must prove it is theirs

    client.post(confirm_link(verification))

    trainer.refresh_from_db()
    assert trainer.email == NEW
    assert list(EmailAddress.objects.filter(user=trainer).values_list("email", "verified", "primary")) == [
        (NEW, True, True)
    ]
    [notice] = [message for message in mail.outbox if message is not verification]
    assert notice.to == [OLD]
    assert f"Je e-mailadres is gewijzigd van {OLD} naar {NEW}." in notice.body


def test_logging_in_again_with_the_second_factor_instead_of_the_password(client, trainer):
    client.post(reverse("account_email"), ADD_EMAIL)
    response = client.get(reverse("mfa_reauthenticate"))
    assert response.status_code == 200

    client.post(reverse("mfa_reauthenticate"), {"code": "000000"})
    assert not EmailAddress.objects.filter(email=NEW).exists()
    client.post(reverse("mfa_reauthenticate"), {"code": current_totp_code(trainer.totp_secret)})
    client.post(reverse("account_email"), ADD_EMAIL)

    assert EmailAddress.objects.filter(user=trainer, email=NEW, verified=False).exists()
    assert [message.to for message in mail.outbox] == [[NEW]]


def test_a_wrong_password_changes_nothing(client, trainer):
    client.post(reverse("account_email"), ADD_EMAIL)
    response = client.post(reverse("account_reauthenticate"), {"password": "niet-het-wachtwoord"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert list(EmailAddress.objects.values_list("email", flat=True)) == [OLD]
    assert mail.outbox == []


def test_changing_the_password_asks_to_log_in_again_first(client, trainer):
    url = reverse("account_change_password")
    assert_sent_to_log_in_again(client.get(url), url)

    data = {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert_sent_to_log_in_again(client.post(url, data), url)

    assert User.objects.get(pk=trainer.pk).check_password(PASSWORD)
    assert mail.outbox == []


def test_password_changes_after_logging_in_again_and_the_address_is_told(client, trainer):
    url = reverse("account_change_password")
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(url).status_code == 200

    data = {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = client.post(url, data)

    assert response.status_code == 302
    assert User.objects.get(pk=trainer.pk).check_password(NEW_PASSWORD)
    [notice] = mail.outbox
    assert notice.to == [OLD]
    assert "Je wachtwoord is gewijzigd." in notice.body


@pytest.mark.django_db(transaction=True)  # allauth mails after commit, while the request still runs
def test_setting_up_two_factor_is_told_to_the_address(client):
    user = UserFactory(email=OLD, roles=["trainer"], two_factor=False)
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret

    client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})

    assert user.has_two_factor is True
    [notice] = mail.outbox
    assert notice.to == [OLD]
    assert "Er is een authenticator-app ingesteld voor tweestapsverificatie." in notice.body
