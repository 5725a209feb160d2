import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_dutch_is_the_default_even_for_an_english_browser(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "nl"
    assert '<html lang="nl">' in response.content.decode()
    assert "Log in met je e-mailadres" in response.content.decode()


def test_switching_to_english_sets_cookie_and_redirects_back(client):
    response = client.post(reverse("switch_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.url == "/accounts/login/"
    assert response.cookies["django_language"].value == "en"
    page = client.get(reverse("account_login"))
    assert page.headers["Content-Language"] == "en"
    assert "Log in with your email address" in page.content.decode()


def test_switch_is_stored_on_the_user(client):
    user = UserFactory(roles=["trainer"])
    client.force_login(user)
    client.post(reverse("switch_language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    client.cookies.clear()
    client.force_login(user)
    assert client.get(reverse("overview:home")).headers["Content-Language"] == "en"


def test_switch_refuses_foreign_redirects_and_unknown_languages(client):
    response = client.post(reverse("switch_language"), {"language": "fr", "next": "https://evil.example/"})
    assert response.url == "/"
    assert "django_language" not in response.cookies


def test_dutch_dates_and_numbers(client):
    from django.template import Context, Template
    from django.utils import translation
    from django.utils.dateparse import parse_datetime

    with translation.override("nl"):
        rendered = Template('{{ when|date:"l j F Y" }} {{ amount }}').render(
            Context({"when": parse_datetime("2026-03-05T19:00:00+01:00"), "amount": 12345.5})
        )
    assert rendered == "donderdag 5 maart 2026 12.345,5"
