"""manage.py createstaff: the first (or any) staff member, by invitation, with the link printed."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from mentorwijs.accounts.models import Invitation, User
from mentorwijs.accounts.roles import Role
from tests.factories import PASSWORD, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the mail leaves after commit, as in production


def createstaff(*args):
    out = StringIO()
    call_command("createstaff", *args, stdout=out)
    return out.getvalue()


def printed_link(output):
    [link] = [line for line in output.splitlines() if "/team/uitnodiging/" in line]
    return link


def test_createstaff_invites_staff_mails_the_link_and_prints_it(client, settings):
    settings.SITE_URL = "https://mentorwijs.example.org"
    output = createstaff("Eerste@Werkzaak.example", "--first-name", "Noor")

    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.roles, invitation.first_name) == ("eerste@werkzaak.example", ["staff"], "Noor")
    assert invitation.invited_by is None
    assert invitation.language == "nl"
    link = printed_link(output)
    assert link.startswith("https://mentorwijs.example.org/team/uitnodiging/")
    [message] = mail.outbox
    assert message.to == ["eerste@werkzaak.example"]
    assert "Hallo Noor," in message.body
    assert "Werkzaak nodigt je uit voor Mentorwijs als Werkzaak-medewerker." in message.body
    assert "None" not in message.body
    assert invitation.status == Invitation.Status.OPEN

    # The printed link works through the acceptance page: a staff account, on to two-factor set-up.
    path = link.removeprefix("https://mentorwijs.example.org")
    assert client.get(path).status_code == 200
    response = client.post(
        path, {"first_name": "Noor", "last_name": "de Vries", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.url == reverse("accounts:two_factor_setup")
    user = User.objects.get(email="eerste@werkzaak.example")
    assert user.roles == {Role.STAFF}
    assert not user.is_superuser
    assert client.get(reverse("overview:home")).url == reverse("accounts:two_factor_setup")


def test_createstaff_in_english():
    createstaff("staff@example.org", "--language", "en")
    assert Invitation.objects.get().language == "en"
    assert mail.outbox[0].subject == "[Mentorwijs] You are invited to Mentorwijs"


def test_a_bad_address_is_refused():
    with pytest.raises(CommandError, match="Not a valid email address"):
        createstaff("geen-adres")
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_address_with_an_account_is_refused_and_nothing_is_printed():
    UserFactory(email="bestaat@example.org", roles=["trainer"])
    out = StringIO()
    with pytest.raises(CommandError, match="already an account with bestaat@example.org"):
        call_command("createstaff", "BESTAAT@example.org", stdout=out)
    assert out.getvalue() == ""
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_open_invitation_is_sent_again_with_its_link():
    first = printed_link(createstaff("tweede@example.org"))
    output = createstaff("tweede@example.org")
    assert "still open" in output
    invitation = Invitation.objects.get()
    assert len(mail.outbox) == 2
    assert printed_link(output).split("/team/uitnodiging/")[0] == first.split("/team/uitnodiging/")[0]
    assert invitation.sent_at is not None


def test_an_open_invitation_without_the_staff_role_is_not_turned_into_one():
    InvitationFactory(email="trainer@example.org", roles=["trainer"])
    with pytest.raises(CommandError, match="without the staff role"):
        createstaff("trainer@example.org")
    assert Invitation.objects.get().roles == ["trainer"]


def test_an_expired_invitation_gives_way_to_a_fresh_one():
    old = InvitationFactory(email="laat@example.org", roles=["staff"])
    Invitation.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(days=30))
    createstaff("laat@example.org")
    fresh = Invitation.objects.exclude(pk=old.pk).get()
    assert fresh.status == Invitation.Status.OPEN
    assert fresh.roles == ["staff"]


def test_the_invitation_list_names_the_command_line(client):
    createstaff("cli@example.org")
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    page = client.get(reverse("accounts:invitation_list")).content.decode()
    assert "cli@example.org" in page
    assert "opdrachtregel" in page
