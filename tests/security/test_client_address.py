"""The client address behind TRUSTED_PROXY_COUNT proxies (mentorwijs/ratelimit.py) and the rate limits
that count by it: allauth's failed logins, public enrolment, newsletter sign-up, the organisation search.

The proxy in these tests is 10.0.0.1 (REMOTE_ADDR of every request); clients are 198.51.100.x."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Subscriber
from mentorwijs.accounts.adapter import AccountAdapter
from mentorwijs.ratelimit import client_address, rate_limited
from tests.factories import PASSWORD, MailingListFactory, OrganisationFactory, TrainingFactory, UserFactory
from tests.security.test_deploy_settings import run_manage
from tests.trainings.test_public_enrolment import enrol_url, form_data
from trainings.models import Enrolment

PROXY = "10.0.0.1"
ALICE = "198.51.100.7"
BOB = "198.51.100.8"


def request_from(remote_addr=PROXY, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def behind_proxy(client_ip) -> Client:
    """A browser at `client_ip` whose requests reach the app through our one proxy, which appends
    the address it saw to whatever X-Forwarded-For the browser sent."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.66, {client_ip}")


# --- the rule ---


@pytest.mark.parametrize(
    "forwarded", [None, ALICE, f"{ALICE}, {BOB}", "not an address"], ids=["none", "one", "two", "garbage"]
)
def test_without_proxies_the_header_is_ignored(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from(remote_addr=BOB, forwarded=forwarded)) == BOB


def test_with_one_proxy_the_entry_it_appended_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The browser sent "1.2.3.4, 5.6.7.8" itself; the proxy appended ALICE.
    assert client_address(request_from(forwarded=f"1.2.3.4, 5.6.7.8, {ALICE}")) == ALICE
    assert client_address(request_from(forwarded=ALICE)) == ALICE


def test_with_two_proxies_the_entry_the_outer_one_appended_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from(forwarded=f"1.2.3.4, {ALICE}, 192.0.2.10")) == ALICE


def test_fewer_entries_than_proxies_gives_the_furthest_address_a_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from(forwarded=ALICE)) == ALICE


def test_a_request_that_bypassed_the_proxy_counts_by_its_own_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from(remote_addr=BOB)) == BOB
    assert client_address(request_from(remote_addr=BOB, forwarded="")) == BOB


@pytest.mark.parametrize(
    ("entry", "address"),
    [
        (f"{ALICE}:51234", ALICE),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("2001:DB8:0::7", "2001:db8::7"),
        ("unknown", PROXY),  # not an address: the proxy's, so nobody escapes a limit by it
    ],
)
def test_the_entry_is_read_as_an_address(settings, entry, address):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from(forwarded=entry)) == address


def test_allauth_asks_the_same_helper(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = request_from(forwarded=f"1.2.3.4, {ALICE}")
    assert AccountAdapter(request).get_client_ip(request) == ALICE


def test_allauths_own_setting_follows_trusted_proxy_count():
    """For any allauth code that reads X-Forwarded-For itself (settings are read once per process)."""
    result = run_manage(
        "shell",
        "-c",
        "from allauth import app_settings; print(app_settings.TRUSTED_PROXY_COUNT)",
        env={"TRUSTED_PROXY_COUNT": "2"},
    )
    assert result.stdout.strip().splitlines()[-1] == "2", result.stdout + result.stderr


def test_the_counter_limits_each_client_and_scope_apart(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    alice, bob = request_from(forwarded=ALICE), request_from(forwarded=BOB)
    assert [rate_limited(alice, scope="test", limit=2) for _ in range(3)] == [False, False, True]
    assert rate_limited(bob, scope="test", limit=2) is False
    assert rate_limited(alice, scope="other", limit=2) is False


def test_an_ipv6_client_counts_per_64_block(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    first, second = request_from(forwarded="2001:db8:1:2::1"), request_from(forwarded="2001:db8:1:2:ffff::9")
    elsewhere = request_from(forwarded="2001:db8:1:3::1")
    assert rate_limited(first, scope="test", limit=1) is False
    assert rate_limited(second, scope="test", limit=1) is True
    assert rate_limited(elsewhere, scope="test", limit=1) is False


# --- the limits that use it ---


@pytest.mark.django_db
def test_a_forged_header_does_not_escape_the_enrolment_limit_without_a_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.PUBLIC_ENROLMENTS_PER_HOUR = 2
    training = TrainingFactory(meetings=2)
    for n in range(3):
        forged = Client(REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=f"198.51.100.{100 + n}")
        response = forged.post(enrol_url(training), form_data(email=f"person{n}@example.org"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Enrolment.objects.count() == 2


@pytest.mark.django_db
def test_twenty_one_enrolments_from_one_client_do_not_block_another_behind_the_same_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert settings.PUBLIC_ENROLMENTS_PER_HOUR == 20
    training = TrainingFactory(meetings=2, capacity=60)
    alice = behind_proxy(ALICE)
    answers = [alice.post(enrol_url(training), form_data(email=f"a{n}@example.org")).status_code for n in range(21)]
    assert answers == [302] * 20 + [200]

    response = behind_proxy(BOB).post(enrol_url(training), form_data(email="bob@example.org"))

    assert response.status_code == 302
    assert Enrolment.objects.filter(person__email="bob@example.org").exists()
    assert Enrolment.objects.count() == 21


@pytest.mark.django_db
def test_newsletter_sign_ups_count_per_client_behind_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PUBLIC_ENROLMENTS_PER_HOUR = 2
    newsletter = MailingListFactory()

    def sign_up(client, email):
        return client.post(reverse("newsletter:signup"), {"email": email, "first_name": "N", "lists": [newsletter.pk]})

    alice = behind_proxy(ALICE)
    assert [sign_up(alice, f"a{n}@example.org").status_code for n in range(3)] == [302, 302, 400]
    assert sign_up(behind_proxy(BOB), "bob@example.org").status_code == 302
    assert Subscriber.objects.filter(email="bob@example.org").exists()


@pytest.mark.django_db
def test_logins_of_two_clients_behind_the_proxy_have_separate_failure_budgets(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip,100/300s/key"}
    user = UserFactory(email="trainer@example.org", roles=["trainer"])

    def login(client, password):
        return client.post(reverse("account_login"), {"login": user.email, "password": password})

    alice = behind_proxy(ALICE)
    for _attempt in range(3):
        login(alice, "wrong-password")
    refused = login(alice, PASSWORD)  # even the right password
    assert "Te veel inlogpogingen" in refused.content.decode()
    assert "_auth_user_id" not in alice.session

    accepted = login(behind_proxy(BOB), PASSWORD)
    assert accepted.status_code == 302  # home, or the two-factor step
    assert accepted.url != reverse("account_login")


@pytest.mark.django_db
def test_without_a_proxy_setting_the_login_budget_is_shared_by_forged_headers(settings):
    """With 0 proxies a header that names another address does not give a fresh budget."""
    settings.TRUSTED_PROXY_COUNT = 0
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip,100/300s/key"}
    user = UserFactory(email="trainer@example.org", roles=["trainer"])
    for n in range(4):
        forged = Client(REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=f"198.51.100.{100 + n}")
        response = forged.post(reverse("account_login"), {"login": user.email, "password": "wrong-password"})
    assert "Te veel inlogpogingen" in response.content.decode()


@pytest.mark.django_db
def test_the_public_organisation_search_counts_per_client_behind_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PUBLIC_SEARCHES_PER_HOUR = 2
    OrganisationFactory(name="Bakkerij Linge", public_since=timezone.now())
    url = reverse("trainings:organisation_search")
    alice = behind_proxy(ALICE)
    assert [alice.get(url, {"q": "bakk"}).status_code for _ in range(3)] == [200, 200, 429]
    assert behind_proxy(BOB).get(url, {"q": "bakk"}).status_code == 200
