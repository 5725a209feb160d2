"""Sessions rotate at login, end after an idle time and an absolute lifetime per role, and end when
the user is deactivated or their roles change (mentorwijs.accounts.middleware.SessionPolicyMiddleware)."""

import json
import subprocess
import sys

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
    SESSION_LOGGED_IN_KEY,
)
from mentorwijs.accounts.models import User
from mentorwijs.accounts.services import user_set_roles
from mentorwijs.accounts.two_factor import current_totp_code
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# Limits of their own, so the tests do not depend on the defaults (which test_default_limits pins).
IDLE = {"staff": 1800, "master_trainer": 2400, "trainer": 4 * 3600, "ambassador": 2 * 3600}
LIFETIME = {"staff": 10 * 3600, "master_trainer": 11 * 3600, "trainer": 14 * 3600, "ambassador": 13 * 3600}
ROLES = list(IDLE)


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.SESSION_IDLE_SECONDS = IDLE
    settings.SESSION_MAX_SECONDS = LIFETIME


def move_back(client, key, seconds):
    session = client.session
    session[key] -= seconds
    session.save()


def move_last_seen_back(client, seconds):
    move_back(client, SESSION_LAST_SEEN_KEY, seconds)


def age_session(client, seconds):
    """The session was logged in `seconds` earlier, but used a moment ago."""
    move_back(client, SESSION_LOGGED_IN_KEY, seconds)


def assert_logged_out(response, client, path):
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={path}"
    assert SESSION_KEY not in client.session


def log_in_with_code(client, user):
    """Through allauth's login and code step, as a person does (the session then passed a second factor)."""
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(user.totp_secret)})
    assert client.session[SESSION_KEY] == str(user.pk)


def test_session_key_rotates_at_login_through_allauth(client):
    UserFactory(email="zonderrol@example.org")  # no role, so no code step
    client.get(reverse("account_login"))  # an anonymous session with the CSRF cookie
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key

    response = client.post(reverse("account_login"), {"login": "zonderrol@example.org", "password": PASSWORD})

    assert response.status_code == 302
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert client.session[SESSION_KEY]
    assert client.session[SESSION_FINGERPRINT_KEY] == {"active": True, "superuser": False, "roles": []}


def test_session_key_rotates_at_login_with_two_factor_step(client):
    user = UserFactory(email="trainer@example.org", roles=["trainer"])
    client.get(reverse("account_login"))
    session = client.session
    session["visited"] = True
    session.save()
    anonymous_key = session.session_key

    client.post(reverse("account_login"), {"login": "trainer@example.org", "password": PASSWORD})
    assert SESSION_KEY not in client.session
    between_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(user.totp_secret)})

    final_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert client.session[SESSION_KEY] == str(user.pk)
    assert final_key not in {anonymous_key, between_key}
    assert client.session[SESSION_FINGERPRINT_KEY] == {"active": True, "superuser": False, "roles": ["trainer"]}
    assert client.session[SESSION_LAST_SEEN_KEY] > 0
    assert client.session[SESSION_LOGGED_IN_KEY] == client.session[SESSION_LAST_SEEN_KEY]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_is_logged_out_after_its_idle_time(client, role):
    client.force_login(UserFactory(roles=[role]))
    move_last_seen_back(client, IDLE[role] + 1)

    response = client.get(reverse("overview:home"))

    assert_logged_out(response, client, reverse("overview:home"))
    assert client.get(reverse("overview:home")).status_code == 302  # still out


@pytest.mark.parametrize("role", ROLES)
def test_a_request_within_the_idle_time_keeps_the_session(client, role):
    user = UserFactory(roles=[role])
    client.force_login(user)
    move_last_seen_back(client, IDLE[role] - LAST_SEEN_RESOLUTION_SECONDS)

    response = client.get(reverse("overview:home"))

    assert response.status_code == 200
    assert client.session[SESSION_KEY] == str(user.pk)
    # The request counted as activity: the idle clock starts again.
    move_last_seen_back(client, IDLE[role] - LAST_SEEN_RESOLUTION_SECONDS)
    assert client.get(reverse("overview:home")).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_every_role_is_logged_out_at_its_absolute_lifetime_however_active(client, role):
    user = UserFactory(roles=[role])
    client.force_login(user)
    age_session(client, LIFETIME[role] - LAST_SEEN_RESOLUTION_SECONDS)
    assert client.get(reverse("overview:home")).status_code == 200  # busy, and not yet at the limit

    age_session(client, LAST_SEEN_RESOLUTION_SECONDS + 1)
    response = client.get(reverse("overview:home"))

    assert_logged_out(response, client, reverse("overview:home"))


def test_a_user_with_several_roles_gets_the_shortest_limits(client):
    client.force_login(UserFactory(roles=["trainer", "master_trainer"]))
    move_last_seen_back(client, IDLE["master_trainer"] + 1)  # well within a trainer's idle time
    assert_logged_out(client.get(reverse("overview:home")), client, reverse("overview:home"))

    client.force_login(UserFactory(roles=["trainer", "ambassador"]))
    age_session(client, LIFETIME["ambassador"] + 1)  # within a trainer's lifetime
    assert_logged_out(client.get(reverse("overview:home")), client, reverse("overview:home"))


@pytest.mark.parametrize("roles", [[], ["trainer"]], ids=["no role", "trainer"])
def test_a_superuser_gets_the_staff_limits(client, roles):
    user = User.objects.create_superuser("root@example.org", "x" * 12)
    user_set_roles(user=user, roles=roles)
    client.force_login(user)
    move_last_seen_back(client, IDLE["staff"] + 1)
    assert_logged_out(client.get(reverse("account_email")), client, reverse("account_email"))


def test_a_session_without_a_login_time_ends(client):
    """A session from before the absolute lifetime was kept: its age is unknown, so it ends once."""
    client.force_login(UserFactory(roles=["trainer"]))
    session = client.session
    del session[SESSION_LOGGED_IN_KEY]
    session.save()

    assert_logged_out(client.get(reverse("overview:home")), client, reverse("overview:home"))


def test_last_seen_is_written_at_most_once_a_minute(client):
    user = UserFactory(roles=["staff"])
    client.force_login(user)
    move_last_seen_back(client, 10)
    stamped = client.session[SESSION_LAST_SEEN_KEY]

    client.get(reverse("overview:home"))
    assert client.session[SESSION_LAST_SEEN_KEY] == stamped  # not rewritten within the minute

    move_last_seen_back(client, LAST_SEEN_RESOLUTION_SECONDS)
    client.get(reverse("overview:home"))
    assert client.session[SESSION_LAST_SEEN_KEY] > stamped - LAST_SEEN_RESOLUTION_SECONDS


def session_settings(**environment) -> dict:
    """SESSION_IDLE_SECONDS, SESSION_MAX_SECONDS and SESSION_COOKIE_AGE as a fresh interpreter loads
    them with only these variables set."""
    code = (
        "import json, mentorwijs.settings as s; "
        "print(json.dumps([s.SESSION_IDLE_SECONDS, s.SESSION_MAX_SECONDS, s.SESSION_COOKIE_AGE]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "MENTORWIJS_VAR_DIR": str(django_settings.VAR_DIR), **environment},
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        check=True,
    )
    return dict(zip(["idle", "lifetime", "cookie"], json.loads(result.stdout), strict=True))


def test_default_limits_are_short_at_a_desk_and_a_day_in_the_field():
    """What docs/security.md states; the session cookie lasts no longer than the longest lifetime."""
    loaded = session_settings()
    assert loaded["idle"] == {"staff": 1800, "master_trainer": 1800, "trainer": 4 * 3600, "ambassador": 2 * 3600}
    assert loaded["lifetime"] == {"staff": 10 * 3600, "master_trainer": 10 * 3600, "trainer": 14 * 3600,
                                  "ambassador": 14 * 3600}  # fmt: skip
    assert loaded["cookie"] == 14 * 3600


def test_limits_come_from_the_environment():
    loaded = session_settings(
        STAFF_SESSION_IDLE_SECONDS="600",
        MASTER_TRAINER_SESSION_MAX_SECONDS="7200",
        TRAINER_SESSION_IDLE_SECONDS="900",
        TRAINER_SESSION_MAX_SECONDS="86400",
        AMBASSADOR_SESSION_IDLE_SECONDS="300",
    )
    assert loaded["idle"] == {"staff": 600, "master_trainer": 1800, "trainer": 900, "ambassador": 300}
    assert loaded["lifetime"] == {"staff": 36000, "master_trainer": 7200, "trainer": 86400, "ambassador": 50400}
    assert loaded["cookie"] == 86400


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


@pytest.mark.parametrize("roles", [[], ["trainer"]], ids=["no role yet", "trainer"])
def test_gaining_a_role_ends_a_session_that_never_passed_a_second_factor(client, roles):
    """Every role requires two-factor; a session granted without the code step (before the user had a
    role, or a session made without it) may not carry a new role: log in again."""
    user = UserFactory(roles=roles, two_factor=True)
    client.force_login(user)  # no code step
    assert client.get(reverse("overview:home")).status_code == 200

    user_set_roles(user=user, roles=[*roles, "ambassador"])
    response = client.get(reverse("overview:home"))

    assert_logged_out(response, client, reverse("overview:home"))


@pytest.mark.parametrize("new_role", ["staff", "ambassador"])
def test_gaining_a_role_after_the_code_step_keeps_the_session(client, new_role):
    user = UserFactory(email="trainer@example.org", roles=["trainer"])
    log_in_with_code(client, user)

    user_set_roles(user=user, roles=["trainer", new_role])
    response = client.get(reverse("overview:home"))

    assert response.status_code == 200
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session[SESSION_FINGERPRINT_KEY]["roles"] == sorted(["trainer", new_role])
    # Losing the new role later still ends the session.
    user_set_roles(user=user, roles=["trainer"])
    assert_logged_out(client.get(reverse("overview:home")), client, reverse("overview:home"))


def test_user_who_loses_superuser_is_logged_out(client):
    user = UserFactory(roles=["staff"], is_superuser=True)
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
