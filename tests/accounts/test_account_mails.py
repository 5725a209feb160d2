"""allauth's mails are the app's own: the sender, the subject prefix, the greeting and every link
come from settings (DEFAULT_FROM_EMAIL, ACCOUNT_EMAIL_SUBJECT_PREFIX, SITE_URL), never from the
host a request came in on, in the recipient's language (templates/account/email/)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://mentorwijs.example.nl"
SENDER = "Mentorwijs <noreply@mentorwijs.example.nl>"
TEXTS = {
    "nl": {
        "verify": "Bevestig je e-mailadres",
        "reset": "Kies een nieuw wachtwoord",
        "changed": "Je e-mailadres is gewijzigd",
        "greeting": "Hallo {name},",
        "sign_off": "Met vriendelijke groet,",
    },
    "en": {
        "verify": "Confirm your email address",
        "reset": "Choose a new password",
        "changed": "Your email address was changed",
        "greeting": "Hello {name},",
        "sign_off": "Kind regards,",
    },
}


@pytest.fixture(autouse=True)
def site_settings(settings):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = SENDER
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]  # the request comes in on 127.0.0.1:8100


def links(message) -> list[str]:
    html = message.alternatives[0][0]
    return re.findall(r"https?://[^\s\"<]+", message.body) + re.findall(r'href="([^"]+)"', html)


def assert_the_apps_own(message, *, subject: str, name: str, language: str):
    texts = TEXTS[language]
    assert message.subject == f"[Mentorwijs] {subject}"
    assert message.from_email == SENDER
    assert message.body.startswith(texts["greeting"].format(name=name))
    assert texts["sign_off"] in message.body
    assert "127.0.0.1:8100" not in message.body
    assert "example.com" not in message.body
    assert "Hallo van" not in message.body
    assert "Hello from" not in message.body
    assert links(message), "the mail has links"
    assert all(link.startswith(SITE + "/") for link in links(message))
    assert message.extra_headers["Content-Language"] == language
    html = message.alternatives[0][0]
    assert texts["greeting"].format(name=name) in html
    assert texts["sign_off"] in html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_address_verification_and_the_old_address_notice_are_the_apps_own(client, language):
    user = UserFactory(email="oud@example.org", first_name="Ilse", language=language, roles=["trainer"])
    client.force_login(user)
    response = client.post(
        reverse("account_email"), {"email": "nieuw@example.org", "action_add": ""}, HTTP_HOST="127.0.0.1:8100"
    )
    client.post(response.url, {"password": PASSWORD, "next": reverse("account_email")}, HTTP_HOST="127.0.0.1:8100")

    [verification] = mail.outbox
    assert verification.to == ["nieuw@example.org"]
    assert_the_apps_own(verification, subject=TEXTS[language]["verify"], name="Ilse", language=language)
    confirm = next(link for link in links(verification) if "/confirm-email/" in link)
    assert confirm.startswith(f"{SITE}/accounts/confirm-email/")

    client.post(confirm.removeprefix(SITE))
    [notice] = mail.outbox[1:]
    assert notice.to == ["oud@example.org"]
    assert_the_apps_own(notice, subject=TEXTS[language]["changed"], name="Ilse", language=language)
    assert "oud@example.org" in notice.body
    assert "nieuw@example.org" in notice.body


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_password_reset_mail_is_the_apps_own_and_its_link_works(client, language):
    user = UserFactory(email="ilse@example.org", first_name="Ilse", language=language)
    client.post(reverse("account_reset_password"), {"email": user.email}, HTTP_HOST="127.0.0.1:8100")

    [message] = mail.outbox
    assert_the_apps_own(message, subject=TEXTS[language]["reset"], name="Ilse", language=language)
    reset = next(link for link in links(message) if "/password/reset/key/" in link)
    response = client.get(reset.removeprefix(SITE), follow=True)
    assert response.status_code == 200
    assert "password1" in response.context["form"].fields


def test_a_password_reset_for_an_unknown_address_says_so_in_the_request_language(client):
    client.post(reverse("account_reset_password"), {"email": "niemand@example.org"}, HTTP_ACCEPT_LANGUAGE="nl")

    [message] = mail.outbox
    assert message.subject == "[Mentorwijs] Je aanvraag voor een nieuw wachtwoord"
    assert message.from_email == SENDER
    assert message.body.startswith("Hallo,")
    assert "geen Mentorwijs-account" in message.body
    assert "/accounts/signup/" not in message.body  # nobody signs up: accounts come by invitation
