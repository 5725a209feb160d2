import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from mentorwijs.accounts.models import User
from tests.factories import PASSWORD, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_access_follows_the_staff_role():
    assert UserFactory(roles=["staff"]).is_staff is True
    assert UserFactory(roles=["trainer", "master_trainer", "ambassador"]).is_staff is False
    assert User.objects.create_superuser("root@example.org", "x" * 12).is_staff is True


def test_superuser_must_set_up_two_factor_too(client):
    client.force_login(User.objects.create_superuser("root@example.org", "x" * 12))
    response = client.get("/beheer/")
    assert response.url == reverse("accounts:two_factor_setup")


def test_logged_in_staff_opening_admin_login_goes_to_the_admin(client):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    response = client.get("/beheer/login/")
    assert response.status_code == 302
    assert response.url == "/beheer/"


def test_staff_cannot_add_users_in_the_admin_people_join_by_invitation(client):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    assert client.get("/beheer/accounts/user/add/").status_code == 403


def test_only_a_superuser_can_grant_superuser(client):
    trainer = UserFactory(roles=["trainer"])
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    page = client.get(f"/beheer/accounts/user/{trainer.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page


# --- only superusers change another user's password, login address or roles ---


def _superuser():
    return UserFactory(is_superuser=True, two_factor=True)


@pytest.mark.parametrize("whose", ["another user's", "their own"])
def test_staff_are_refused_the_admin_password_page(client, whose):
    staff = UserFactory(roles=["staff"], two_factor=True)
    target = UserFactory(roles=["trainer"]) if whose == "another user's" else staff
    client.force_login(staff)
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    assert client.get(url).status_code == 403
    new_password = {"password1": "een-nieuw-lang-wachtwoord-7", "password2": "een-nieuw-lang-wachtwoord-7"}
    assert client.post(url, {**new_password, "usable_password": "true"}).status_code == 403
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
    assert not target.check_password(new_password["password1"])


def test_the_admins_own_password_link_leads_to_the_account_page(client):
    """A staff member's own password changes where allauth asks for the current one."""
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    response = client.get(reverse("admin:password_change"))
    assert response.status_code == 302
    assert response.url == reverse("account_change_password")


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


def test_staff_change_a_users_name_but_not_their_roles_address_or_superuser_status(client):
    trainer = UserFactory(roles=["trainer"], email="trainer@example.org", first_name="Fenna")
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    url = reverse("admin:accounts_user_change", args=[trainer.pk])
    page = client.get(url).content.decode()
    for name in ("groups", "email", "is_superuser", "password", "user_permissions"):
        assert f'name="{name}"' not in page
    assert "../password/" not in page  # no link to the password page
    assert 'name="first_name"' in page

    everything = [group.pk for group in Group.objects.all()]
    permission = Permission.objects.get(codename="change_user")
    forged = _change_data(
        trainer,
        first_name="Femke",
        groups=everything,
        email="staff-eigen@example.org",
        is_superuser="on",
        user_permissions=[permission.pk],
        password="md5$x$y",
    )
    response = client.post(url, forged)
    assert response.status_code == 302
    trainer.refresh_from_db()
    assert trainer.first_name == "Femke"
    assert sorted(trainer.groups.values_list("name", flat=True)) == ["trainer"]
    assert trainer.email == "trainer@example.org"
    assert not trainer.is_superuser
    assert not trainer.user_permissions.exists()
    assert trainer.check_password(PASSWORD)


def test_staff_cannot_give_themselves_roles_in_the_admin(client):
    staff = UserFactory(roles=["staff"], two_factor=True)
    client.force_login(staff)
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    client.post(url, _change_data(staff, groups=[group.pk for group in Group.objects.all()], is_superuser="on"))
    staff.refresh_from_db()
    assert sorted(staff.groups.values_list("name", flat=True)) == ["staff"]
    assert not staff.is_superuser


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


def test_staff_only_look_at_a_superusers_account(client):
    root = _superuser()
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    change_url = reverse("admin:accounts_user_change", args=[root.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="is_active"' not in page.content.decode()
    assert client.post(change_url, _change_data(root, is_active="")).status_code == 403
    assert client.post(reverse("admin:accounts_user_delete", args=[root.pk]), {"post": "yes"}).status_code == 403
    changelist = reverse("admin:accounts_user_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"})
    root.refresh_from_db()
    assert root.is_active


def test_staff_only_look_up_invitations_in_the_admin(client):
    invitation = InvitationFactory(email="uitgenodigd@example.org", roles=["trainer"])
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    url = reverse("admin:accounts_invitation_change", args=[invitation.pk])
    assert client.get(url).status_code == 200
    forged = {"email": "iemand-anders@example.org", "roles": '["staff"]', "language": "nl"}
    assert client.post(url, forged).status_code == 403
    invitation.refresh_from_db()
    assert (invitation.email, invitation.roles) == ("uitgenodigd@example.org", ["trainer"])


# --- only superusers deactivate or reactivate the account of staff or a master trainer ---


@pytest.mark.parametrize("role", ["staff", "master_trainer"])
def test_staff_neither_deactivate_nor_reactivate_a_colleague(client, role):
    colleague = UserFactory(roles=[role])
    departed = UserFactory(roles=[role])
    User.objects.filter(pk=departed.pk).update(is_active=False)
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    assert 'name="is_active"' not in client.get(url).content.decode()

    client.post(url, _change_data(colleague, is_active="", first_name="Nieuw"))
    client.post(reverse("admin:accounts_user_change", args=[departed.pk]), _change_data(departed, is_active="on"))

    colleague.refresh_from_db()
    departed.refresh_from_db()
    assert (colleague.first_name, colleague.is_active) == ("Nieuw", True)  # the name changes, access does not
    assert not departed.is_active


def test_staff_cannot_deactivate_themselves(client):
    staff = UserFactory(roles=["staff"], two_factor=True)
    client.force_login(staff)
    client.post(reverse("admin:accounts_user_change", args=[staff.pk]), _change_data(staff, is_active=""))
    staff.refresh_from_db()
    assert staff.is_active


@pytest.mark.parametrize("role", ["trainer", "ambassador"])
def test_staff_deactivate_and_reactivate_a_trainer_or_an_ambassador(client, role):
    holder = UserFactory(roles=[role])
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    url = reverse("admin:accounts_user_change", args=[holder.pk])
    assert 'name="is_active"' in client.get(url).content.decode()

    client.post(url, _change_data(holder, is_active=""))
    holder.refresh_from_db()
    assert not holder.is_active
    client.post(url, _change_data(holder, is_active="on"))
    holder.refresh_from_db()
    assert holder.is_active


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
