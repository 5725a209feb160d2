"""The Django admin is a superuser's last resort (issue 15): staff do their work on the app's pages."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.urls import reverse

from mentorwijs.accounts.models import User
from mentorwijs.accounts.two_factor import current_totp_code
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_access_is_for_superusers_only():
    assert UserFactory(roles=["staff"]).is_staff is False
    assert UserFactory(roles=["staff", "trainer", "master_trainer", "ambassador"]).is_staff is False
    assert User.objects.create_superuser("root@example.org", "x" * 12).is_staff is True


def test_superuser_must_set_up_two_factor_too(client):
    client.force_login(User.objects.create_superuser("root@example.org", "x" * 12))
    response = client.get("/beheer/")
    assert response.url == reverse("accounts:two_factor_setup")


@pytest.mark.parametrize("url", ["/beheer/", "/beheer/accounts/user/", "/beheer/django_celery_beat/periodictask/add/"])
def test_a_staff_member_gets_no_admin(client, url):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/beheer/login/")
    # The admin's login page refuses a logged-in user without admin access.
    assert client.get(response.url).status_code == 403


def test_nobody_adds_users_in_the_admin_people_join_by_invitation(client):
    client.force_login(UserFactory(is_superuser=True, two_factor=True))
    assert client.get("/beheer/accounts/user/add/").status_code == 403


def _superuser():
    return UserFactory(is_superuser=True, two_factor=True)


def test_a_superuser_sets_another_users_password_in_the_admin(client):
    trainer = UserFactory(roles=["trainer"])
    client.force_login(_superuser())
    url = reverse("admin:auth_user_password_change", args=[trainer.pk])
    assert client.get(url).status_code == 200
    new_password = "een-nieuw-lang-wachtwoord-7"
    response = client.post(url, {"password1": new_password, "password2": new_password, "usable_password": "true"})
    assert response.status_code == 302
    trainer.refresh_from_db()
    assert trainer.check_password(new_password)


def test_the_admins_own_password_link_leads_to_the_account_page(client):
    """A superuser's own password changes where allauth asks for the current one."""
    client.force_login(_superuser())
    response = client.get(reverse("admin:password_change"))
    assert response.status_code == 302
    assert response.url == reverse("account_change_password")


def _change_data(user, **changes):
    """What the user change page posts, with changes."""
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "is_active": "on",
        "groups": [group.pk for group in user.groups.all()],
    }
    return {**data, **changes}


def test_a_superuser_changes_another_users_roles_and_address(client):
    trainer = UserFactory(roles=["trainer"], email="trainer@example.org")
    client.force_login(_superuser())
    url = reverse("admin:accounts_user_change", args=[trainer.pk])
    page = client.get(url).content.decode()
    assert 'name="groups"' in page
    assert "../password/" in page
    ambassador = Group.objects.get(name="ambassador")
    response = client.post(url, _change_data(trainer, groups=[ambassador.pk], email="nieuw@example.org"))
    assert response.status_code == 302
    trainer.refresh_from_db()
    assert list(trainer.groups.values_list("name", flat=True)) == ["ambassador"]
    assert trainer.email == "nieuw@example.org"


def test_a_superuser_deactivates_and_reactivates_staff(client):
    colleague = UserFactory(roles=["staff", "master_trainer"])
    client.force_login(_superuser())
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    client.post(url, _change_data(colleague, is_active=""))
    colleague.refresh_from_db()
    assert not colleague.is_active
    client.post(url, _change_data(colleague, is_active="on"))
    colleague.refresh_from_db()
    assert colleague.is_active


@pytest.mark.django_db(transaction=True)  # allauth records the new authenticator after commit
def test_giving_yourself_a_role_after_setting_up_two_factor_keeps_you_logged_in(client):
    """Issue 15: the first superuser logs in with the password, sets up an authenticator app (its
    code proves the second factor), gives themselves a role in the admin, and stays logged in."""
    root = User.objects.create_superuser("root@example.org", PASSWORD)
    EmailAddress.objects.create(user=root, email=root.email, verified=True, primary=True)
    client.post(reverse("account_login"), {"login": root.email, "password": PASSWORD})
    assert client.get(reverse("overview:home")).url == reverse("accounts:two_factor_setup")
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # allauth asks before set-up
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})

    trainer = Group.objects.get(name="trainer")
    data = _change_data(root, groups=[trainer.pk], is_superuser="on")
    response = client.post(reverse("admin:accounts_user_change", args=[root.pk]), data)
    assert response.status_code == 302

    assert client.get(reverse("overview:home")).status_code == 200
    assert client.session["_auth_user_id"] == str(root.pk)
    assert sorted(root.groups.values_list("name", flat=True)) == ["trainer"]


@pytest.mark.django_db(transaction=True)
def test_a_session_that_never_gave_a_second_factor_still_ends_at_a_gained_role(client):
    """The rule the fix keeps: a session that logged in before two-factor existed, and did not set it
    up itself, ends when its user gains a role."""
    user = UserFactory(roles=["trainer"], two_factor=False)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    TOTP.activate(user, generate_totp_secret())  # set up in another session
    user.groups.add(Group.objects.get(name="ambassador"))
    response = client.get(reverse("overview:home"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
