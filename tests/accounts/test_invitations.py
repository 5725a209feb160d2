import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from mentorwijs.accounts.models import Invitation, User
from mentorwijs.accounts.services import (
    InvitationError,
    invitation_accept,
    invitation_create,
    invitation_send,
    invitation_send_unsent,
)
from mentorwijs.accounts.tokens import invitation_token
from tests.factories import PASSWORD, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def accept_path_from_mail(message) -> str:
    return re.search(r"http://[^/\s]+(/team/uitnodiging/[^\s/]+/)", message.body).group(1)


def test_staff_invite_stores_invitation_and_mails_link_after_commit(
    staff_client, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff_client.post(
            reverse("accounts:invitation_create"),
            {
                "email": "Nieuwe.Trainer@Example.org",
                "first_name": "Lieke",
                "roles": ["trainer", "ambassador"],
                "language": "nl",
            },
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    invitation = Invitation.objects.get()
    assert invitation.email == "nieuwe.trainer@example.org"
    assert invitation.roles == ["trainer", "ambassador"]
    assert invitation.invited_by == staff_user
    assert invitation.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nieuwe.trainer@example.org"]
    assert message.subject == "[Mentorwijs] Je bent uitgenodigd voor Mentorwijs"
    assert "Hallo Lieke," in message.body
    assert "/team/uitnodiging/" in message.body
    assert "verloopt over 7 dagen" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_invitation_mail_is_in_the_invitations_language(staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(email="en@example.org", roles=["trainer"], invited_by=staff_user, language="en")
    assert mail.outbox[0].subject == "[Mentorwijs] You are invited to Mentorwijs"
    assert mail.outbox[0].extra_headers["Content-Language"] == "en"


def test_sending_an_invitation_twice_mails_once(staff_user):
    invitation = InvitationFactory()
    invitation_send(invitation=invitation)
    invitation_send(invitation=invitation)
    assert len(mail.outbox) == 1


def test_non_staff_cannot_invite(client):
    trainer = UserFactory(roles=["trainer"])
    client.force_login(trainer)
    response = client.post(reverse("accounts:invitation_create"), {"email": "x@example.org", "roles": ["staff"]})
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert client.get(reverse("accounts:invitation_list")).status_code == 403


def test_invite_without_role_shows_error_next_to_field(staff_client):
    response = staff_client.post(reverse("accounts:invitation_create"), {"email": "x@example.org", "language": "nl"})
    assert response.status_code == 200
    assert "roles" in response.context["form"].errors
    assert "Dit veld is verplicht." in response.content.decode()
    assert not Invitation.objects.exists()


def test_invite_for_existing_account_leads_to_that_account(staff_client, staff_user):
    existing = UserFactory(email="bestaat@example.org")
    response = staff_client.post(
        reverse("accounts:invitation_create"), {"email": "BESTAAT@example.org", "roles": ["trainer"], "language": "nl"}
    )
    assert response.url == reverse("accounts:account_detail", args=[existing.pk])
    assert not Invitation.objects.exists()


def test_second_open_invitation_for_same_address_is_refused(staff_user):
    InvitationFactory(email="dubbel@example.org")
    with pytest.raises(InvitationError):
        invitation_create(email="dubbel@example.org", roles=["trainer"], invited_by=staff_user)
    assert Invitation.objects.count() == 1


def test_accepting_creates_verified_user_with_roles_and_logs_in(client):
    invitation = InvitationFactory(email="nieuw@example.org", roles=["trainer", "ambassador"])
    url = reverse("accounts:invitation_accept", kwargs={"token": invitation_token(invitation)})
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"first_name": "Lieke", "last_name": "Jansen", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    user = User.objects.get(email="nieuw@example.org")
    assert user.roles == {"trainer", "ambassador"}
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    invitation.refresh_from_db()
    assert invitation.accepted_user == user
    # Logged in, and on to choosing a second step: every role needs one before anything else.
    assert response.url == reverse("accounts:two_factor_setup")
    assert client.get(response.url).context["user"] == user


def test_invitation_link_works_once(client):
    invitation = InvitationFactory()
    url = reverse("accounts:invitation_accept", kwargs={"token": invitation_token(invitation)})
    data = {"first_name": "A", "last_name": "B", "password1": PASSWORD, "password2": PASSWORD}
    client.post(url, data)
    client.logout()
    response = client.post(url, {**data, "first_name": "C"})
    assert response.status_code == 410
    assert "al gebruikt" in response.content.decode()
    assert User.objects.filter(email=invitation.email).count() == 1


def test_invitation_link_expires_after_seven_days(client, monkeypatch):
    invitation = InvitationFactory()
    token = invitation_token(invitation)
    later = timezone.now().timestamp() + 7 * 24 * 3600 + 1
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(reverse("accounts:invitation_accept", kwargs={"token": token}))
    assert response.status_code == 410
    assert "verlopen" in response.content.decode()


def test_old_invitation_cannot_be_accepted_even_with_fresh_token():
    invitation = InvitationFactory(created_at=timezone.now() - timezone.timedelta(days=8))
    with pytest.raises(InvitationError):
        invitation_accept(invitation=invitation, first_name="A", last_name="B", password=PASSWORD)
    assert not User.objects.filter(email=invitation.email).exists()


def test_tampered_token_is_refused(client):
    invitation = InvitationFactory()
    token = invitation_token(invitation)
    response = client.get(reverse("accounts:invitation_accept", kwargs={"token": token[:-2] + "xx"}))
    assert response.status_code == 410
    assert "niet geldig" in response.content.decode()


def test_weak_password_is_refused_next_to_field_and_nothing_saved(client):
    invitation = InvitationFactory()
    url = reverse("accounts:invitation_accept", kwargs={"token": invitation_token(invitation)})
    response = client.post(url, {"first_name": "A", "last_name": "B", "password1": "12345", "password2": "12345"})
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(email=invitation.email).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_revoked_invitation_cannot_be_used(staff_client, client):
    invitation = InvitationFactory()
    staff_client.post(reverse("accounts:invitation_revoke", kwargs={"pk": invitation.pk}))
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    client.logout()
    response = client.get(reverse("accounts:invitation_accept", kwargs={"token": invitation_token(invitation)}))
    assert response.status_code == 410


def test_revoke_unknown_invitation_answers_404(staff_client):
    invitation = InvitationFactory()
    response = staff_client.post(reverse("accounts:invitation_revoke", kwargs={"pk": invitation.pk + 1}))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPEN


def test_invitation_saved_while_broker_is_down_is_mailed_later(
    staff_client, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(**kwargs):
        raise OSError("broker unreachable")

    monkeypatch.setattr("mentorwijs.accounts.services.send_invitation.delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("accounts:invitation_create"),
            {"email": "later@example.org", "roles": ["trainer"], "language": "nl"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="later@example.org")
    assert invitation.sent_at is None
    assert mail.outbox == []
    assert invitation_send_unsent() == 0  # the on-commit task gets a minute first
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timezone.timedelta(minutes=2))
    assert invitation_send_unsent() == 1
    assert invitation_send_unsent() == 0
    assert [m.to for m in mail.outbox] == [["later@example.org"]]


def test_there_is_no_open_signup(client):
    response = client.post(
        reverse("account_signup"), {"email": "open@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert not User.objects.filter(email="open@example.org").exists()
    assert "account/signup_closed.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("rows", [1, 30])
def test_invitation_list_runs_fixed_queries(staff_client, django_assert_num_queries, rows):
    staff = UserFactory(roles=["staff"])
    InvitationFactory.create_batch(rows, invited_by=staff)
    with django_assert_num_queries(3):
        response = staff_client.get(reverse("accounts:invitation_list"))
    assert len(response.context["object_list"]) == min(rows, 25)


def test_non_staff_cannot_revoke(client):
    invitation = InvitationFactory()
    client.force_login(UserFactory(roles=["trainer", "ambassador", "master_trainer"], two_factor=True))
    response = client.post(reverse("accounts:invitation_revoke", kwargs={"pk": invitation.pk}))
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPEN
