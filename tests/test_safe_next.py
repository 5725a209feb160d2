"""The "next" address a client sends leads back into the site only (mentorwijs.http.safe_next)."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Region
from mentorwijs.http import safe_next
from tests.factories import OutreachContactFactory, UserFactory

FALLBACK = "/terug/"


def request(secure=False):
    return RequestFactory().get("/", secure=secure)  # host: testserver


@pytest.mark.parametrize("url", ["/trainingen/", "/trainingen/?page=2&location=3", "http://testserver/trainingen/"])
def test_a_page_of_this_site_passes(url):
    assert safe_next(request(), url, FALLBACK) == url


def test_on_https_an_https_address_of_this_site_passes():
    assert (
        safe_next(request(secure=True), "https://testserver/trainingen/", FALLBACK) == "https://testserver/trainingen/"
    )
    assert safe_next(request(secure=True), "/trainingen/", FALLBACK) == "/trainingen/"


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/",
        "http://evil.example/trainingen/",
        "//evil.example",
        "//evil.example/trainingen/",
        "/\\evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,hello",
        "ftp://testserver/",
        "",
        None,
    ],
)
def test_another_site_or_scheme_is_refused_and_the_fallback_used(url):
    assert safe_next(request(), url, FALLBACK) == FALLBACK
    assert safe_next(request(secure=True), url, FALLBACK) == FALLBACK


def test_on_https_a_plain_http_address_is_refused():
    assert safe_next(request(secure=True), "http://testserver/trainingen/", FALLBACK) == FALLBACK


def test_the_fallback_is_empty_unless_given():
    assert safe_next(request(), "//evil.example") == ""


# --- the views that take a "next" --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("hostile", ["//evil.example", "javascript:alert(1)", "http://testserver/"])
def test_a_follow_up_done_over_https_goes_to_the_follow_ups_not_to_a_hostile_next(client, hostile):
    ambassador = UserFactory(roles=["ambassador"])
    contact = OutreachContactFactory(
        logged_by=ambassador, follow_up_on=timezone.localdate() + timedelta(days=7), follow_up_done=False
    )
    client.force_login(ambassador)
    response = client.post(
        reverse("dissemination:contact_follow_up_done", args=[contact.pk]), {"next": hostile}, secure=True
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dissemination:follow_up_list")
    contact.refresh_from_db()
    assert contact.follow_up_done is True


@pytest.mark.django_db
def test_the_language_switch_over_https_does_not_step_down_to_http(client):
    response = client.post(
        reverse("switch_language"), {"language": "en", "next": "http://testserver/accounts/login/"}, secure=True
    )
    assert response["Location"] == "/"
    response = client.post(reverse("switch_language"), {"language": "en", "next": "/accounts/login/"}, secure=True)
    assert response["Location"] == "/accounts/login/"


@pytest.mark.django_db
def test_a_new_location_ignores_a_scheme_relative_next(staff_client):
    region = Region.objects.get(name="Rivierenland")  # the regions come with a data migration
    response = staff_client.post(
        reverse("trainings:location_create") + "?next=//evil.example/",
        {"name": "Buurthuis", "city": "Tiel", "region": region.pk},
    )
    assert response["Location"] == reverse("trainings:location_list")
