import pytest
from django.urls import reverse

from mentorwijs.accounts.models import User
from tests.factories import UserFactory

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
    assert 'name="groups"' in page
