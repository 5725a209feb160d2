"""Sessions rotate at login, end after idling for roles with two-factor, and end when the user is
deactivated or their roles change (mentorwijs.accounts.middleware.SessionPolicyMiddleware)."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentorwijs.accounts.middleware import (
    LAST_SEEN_RESOLUTION_SECONDS,
    SESSION_FINGERPRINT_KEY,
    SESSION_LAST_SEEN_KEY,
)
from mentorwijs.accounts.services import user_set_roles
from mentorwijs.accounts.two_factor import current_totp_code
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

IDLE = 30 * 60


@pytest.fixture(autouse=True)
def _idle_limit(settings):
    settings.STAFF_SESSION_IDLE_SECONDS = IDLE


def move_last_seen_back(client, seconds):
    session = client.session
    session[SESSION_LAST_SEEN_KEY] -= seconds
    session.save()


def assert_logged_out(response, client, path):
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={path}"
    assert SESSION_KEY not in client.session


def test_session_key_rotates_at_login_through_allauth(client):
    UserFactory(email="trainer@example.org", roles=["trainer"])
    client.get(reverse("account_login"))  # an anonymous session with the CSRF cookie
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key

    response = client.post(reverse("account_login"), {"login": "trainer@example.org", "password": PASSWORD})

    assert response.status_code == 302
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert client.session[SESSION_KEY]
    assert client.session[SESSION_FINGERPRINT_KEY] == {"active": True, "superuser": False, "roles": ["trainer"]}


def test_session_key_rotates_at_login_with_two_factor_step(client):
    user = UserFactory(email="staf@example.org", roles=["staff"], two_factor=True)
    client.get(reverse("account_login"))
    session = client.session
    session["visited"] = True
    session.save()
    anonymous_key = session.session_key

    client.post(reverse("account_login"), {"login": "staf@example.org", "password": PASSWORD})
    assert SESSION_KEY not in client.session
    between_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(user.totp_secret)})

    final_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert client.session[SESSION_KEY] == str(user.pk)
    assert final_key not in {anonymous_key, between_key}
    assert client.session[SESSION_FINGERPRINT_KEY] == {"active": True, "superuser": False, "roles": ["staff"]}
    assert client.session[SESSION_LAST_SEEN_KEY] > 0


@pytest.mark.parametrize("role", ["staff", "master_trainer"])
def test_two_factor_roles_are_logged_out_after_idling(client, role):
    user = UserFactory(roles=[role], two_factor=True)
    client.force_login(user)
    move_last_seen_back(client, IDLE + 1)

    response = client.get(reverse("overview:home"))

    assert_logged_out(response, client, reverse("overview:home"))
    assert client.get(reverse("overview:home")).status_code == 302  # still out


def test_staff_request_within_idle_limit_keeps_the_session(client):
    user = UserFactory(roles=["staff"], two_factor=True)
    client.force_login(user)
    move_last_seen_back(client, IDLE - LAST_SEEN_RESOLUTION_SECONDS)

    response = client.get(reverse("overview:home"))

    assert response.status_code == 200
    assert client.session[SESSION_KEY] == str(user.pk)
    # The request counted as activity: the idle clock starts again.
    move_last_seen_back(client, IDLE - LAST_SEEN_RESOLUTION_SECONDS)
    assert client.get(reverse("overview:home")).status_code == 200


def test_last_seen_is_written_at_most_once_a_minute(client):
    user = UserFactory(roles=["staff"], two_factor=True)
    client.force_login(user)
    move_last_seen_back(client, 10)
    stamped = client.session[SESSION_LAST_SEEN_KEY]

    client.get(reverse("overview:home"))
    assert client.session[SESSION_LAST_SEEN_KEY] == stamped  # not rewritten within the minute

    move_last_seen_back(client, LAST_SEEN_RESOLUTION_SECONDS)
    client.get(reverse("overview:home"))
    assert client.session[SESSION_LAST_SEEN_KEY] > stamped - LAST_SEEN_RESOLUTION_SECONDS


@pytest.mark.parametrize("role", ["trainer", "ambassador"])
def test_roles_without_two_factor_do_not_time_out_when_idle(client, role):
    user = UserFactory(roles=[role])
    client.force_login(user)
    move_last_seen_back(client, IDLE * 10)

    assert client.get(reverse("overview:home")).status_code == 200
    assert client.session[SESSION_KEY] == str(user.pk)


def test_deactivated_user_is_logged_out_on_next_request(client):
    user = UserFactory(roles=["trainer"])
    client.force_login(user)
    assert client.get(reverse("overview:home")).status_code == 200

    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(reverse("overview:home"))

    assert_logged_out(response, client, reverse("overview:home"))


def test_user_who_loses_a_role_is_logged_out_on_next_request(client):
    user = UserFactory(roles=["trainer", "ambassador"])
    client.force_login(user)
    assert client.get(reverse("overview:home")).status_code == 200

    user_set_roles(user=user, roles=["ambassador"])
    response = client.get(reverse("overview:home"))

    assert_logged_out(response, client, reverse("overview:home"))


@pytest.mark.parametrize("new_role", ["staff", "master_trainer"])
def test_user_who_gains_a_two_factor_role_is_logged_out(client, new_role):
    """The session may never have passed the code step that the new role requires: log in again."""
    user = UserFactory(roles=["trainer"], two_factor=True)
    client.force_login(user)

    user_set_roles(user=user, roles=["trainer", new_role])
    response = client.get(reverse("overview:home"))

    assert_logged_out(response, client, reverse("overview:home"))


def test_user_who_gains_a_role_without_two_factor_stays_logged_in(client):
    user = UserFactory(roles=["trainer"])
    client.force_login(user)

    user_set_roles(user=user, roles=["trainer", "ambassador"])
    response = client.get(reverse("overview:home"))

    assert response.status_code == 200
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session[SESSION_FINGERPRINT_KEY]["roles"] == ["ambassador", "trainer"]
    # Losing the new role later still ends the session.
    user_set_roles(user=user, roles=["trainer"])
    assert_logged_out(client.get(reverse("overview:home")), client, reverse("overview:home"))


def test_user_who_loses_superuser_is_logged_out(client):
    user = UserFactory(roles=["staff"], two_factor=True, is_superuser=True)
    client.force_login(user)

    user.is_superuser = False
    user.save(update_fields=["is_superuser"])
    response = client.get(reverse("overview:home"))

    assert_logged_out(response, client, reverse("overview:home"))


def test_logged_out_user_sees_the_login_page_with_a_message(client):
    user = UserFactory(roles=["trainer"])
    client.force_login(user)
    user_set_roles(user=user, roles=[])

    response = client.get(reverse("overview:home"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert len(list(response.context["messages"])) == 1


def test_login_page_is_served_after_the_policy_logs_out(client):
    user = UserFactory(roles=["trainer"])
    client.force_login(user)
    user_set_roles(user=user, roles=["ambassador"])

    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_policy_adds_no_query_to_a_page(client):
    """The fingerprint reads request.user's roles, which the two-factor middleware loads anyway."""
    user = UserFactory(roles=["trainer"])
    client.force_login(user)
    client.get(reverse("overview:home"))

    with CaptureQueriesContext(connection) as with_policy:
        client.get(reverse("overview:home"))
    groups_queries = [q for q in with_policy.captured_queries if "auth_group" in q["sql"]]
    assert len(groups_queries) == 1
    assert not [q for q in with_policy.captured_queries if q["sql"].startswith("UPDATE") and "session" in q["sql"]]
