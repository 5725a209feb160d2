"""The team pages (issue 15): accounts, their roles, access, two-factor and names, by staff; only a
superuser changes a colleague's (staff, master trainer) account or gives those roles."""

import pytest
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from mentorwijs.accounts import queries
from mentorwijs.accounts.models import Invitation, User
from tests.factories import AssignmentFactory, InvitationFactory, UserFactory
from tests.security.test_sessions import log_in_with_code
from trainings.queries.scheduling import runs_given_by

pytestmark = pytest.mark.django_db


def held(user):
    return sorted(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def logged_in(user):
    client = Client()
    client.force_login(user)
    assert client.get(reverse("overview:home")).status_code == 200
    return client


@pytest.fixture
def root(db):
    return UserFactory(is_superuser=True, two_factor=True)


# --- the list ---


@pytest.mark.parametrize("rows", [1, 40])
def test_the_team_list_runs_a_fixed_number_of_queries(staff_client, django_assert_num_queries, rows):
    for index in range(rows):
        UserFactory(roles=["trainer", "ambassador"] if index % 2 else ["staff"], two_factor=bool(index % 3))
    with django_assert_num_queries(4):  # the session, the count, the page, their groups
        response = staff_client.get(reverse("accounts:team_list"))
    assert response.status_code == 200
    assert len(response.context["object_list"]) == min(rows + 1, 50)


def test_the_team_list_shows_roles_status_and_two_factor_in_dutch(staff_client):
    UserFactory(first_name="Tineke", last_name="Trainer", roles=["trainer", "ambassador"], two_factor=False)
    gone = UserFactory(first_name="Vera", last_name="Vertrokken", roles=["ambassador"])
    User.objects.filter(pk=gone.pk).update(is_active=False)
    page = staff_client.get(reverse("accounts:team_list")).content.decode()
    assert "Tineke Trainer" in page
    assert "Trainer, Ambassadeur" in page
    assert "niet ingesteld" in page
    assert "Gedeactiveerd" in page
    assert reverse("accounts:invitation_list") in page


def test_the_team_list_searches_and_filters_by_role_and_status(staff_client, root):
    # A surname Faker never makes, so the search finds no random colleague too.
    tineke = UserFactory(first_name="Tineke", last_name="Boerderij", email="tineke@example.org", roles=["trainer"])
    anna = UserFactory(first_name="Anna", email="anna@voorbeeld.nl", roles=["ambassador"])
    gone = UserFactory(first_name="Vera", roles=["ambassador"])
    User.objects.filter(pk=gone.pk).update(is_active=False)

    def shown(**query):
        return set(staff_client.get(reverse("accounts:team_list"), query).context["object_list"])

    assert shown(q="boerderij") == {tineke}
    assert shown(q="voorbeeld.nl") == {anna}
    assert shown(role="ambassador") == {anna, User.objects.get(pk=gone.pk)}
    assert shown(role="ambassador", state="active") == {anna}
    assert root in shown(role="staff")  # a superuser counts as staff
    assert tineke not in shown(role="staff")


def test_other_roles_get_no_team_pages(client):
    trainer = UserFactory(roles=["trainer", "master_trainer", "ambassador"])
    client.force_login(trainer)
    assert client.get(reverse("accounts:team_list")).status_code == 403
    assert client.get(reverse("accounts:account_detail", args=[trainer.pk])).status_code == 403
    assert client.post(reverse("accounts:account_roles", args=[trainer.pk]), {"roles": ["staff"]}).status_code == 403
    assert held(trainer) == ["ambassador", "master_trainer", "trainer"]


# --- roles ---


def test_staff_change_a_trainers_roles_and_the_audit_trail_records_it(staff_client, staff_user):
    trainer = UserFactory(roles=["trainer"])
    response = staff_client.post(reverse("accounts:account_roles", args=[trainer.pk]), {"roles": ["ambassador"]})
    assert response.status_code == 302
    assert held(trainer) == ["ambassador"]
    entries = LogEntry.objects.get_for_object(trainer).filter(actor=staff_user)
    assert any("groups" in (entry.changes or {}) for entry in entries)


@pytest.mark.parametrize("role", ["staff", "master_trainer"])
def test_staff_do_not_give_the_staff_or_master_trainer_role(staff_client, role):
    trainer = UserFactory(roles=["trainer"])
    response = staff_client.post(reverse("accounts:account_roles", args=[trainer.pk]), {"roles": ["trainer", role]})
    assert response.status_code == 200
    assert response.context["roles_form"].errors["roles"] == [
        "Alleen een superuser geeft de rol Werkzaak-medewerker of opleider."
    ]
    assert held(trainer) == ["trainer"]


@pytest.mark.parametrize("role", ["staff", "master_trainer"])
def test_staff_change_nothing_of_a_colleagues_account(staff_client, role):
    colleague = UserFactory(roles=[role], first_name="Carla")
    page = staff_client.get(reverse("accounts:account_detail", args=[colleague.pk]))
    assert page.status_code == 200
    assert page.context["roles_form"] is None
    assert "Alleen een superuser wijzigt" in page.content.decode()
    for name, data in [
        ("account_roles", {"roles": ["ambassador"]}),
        ("account_name", {"first_name": "Karla", "last_name": "X"}),
        ("account_deactivate", {}),
        ("account_two_factor_reset", {}),
    ]:
        assert staff_client.post(reverse(f"accounts:{name}", args=[colleague.pk]), data).status_code == 403
    for name in ["account_deactivate", "account_two_factor_reset"]:  # not even the confirmation
        assert staff_client.get(reverse(f"accounts:{name}", args=[colleague.pk])).status_code == 403
    colleague = User.objects.get(pk=colleague.pk)
    assert (held(colleague), colleague.first_name, colleague.is_active) == ([role], "Carla", True)
    assert Authenticator.objects.filter(user=colleague).exists()


def test_a_superuser_gives_and_takes_the_staff_role(client, root):
    trainer = UserFactory(roles=["trainer"])
    client.force_login(root)
    client.post(reverse("accounts:account_roles", args=[trainer.pk]), {"roles": ["trainer", "staff", "master_trainer"]})
    assert held(trainer) == ["master_trainer", "staff", "trainer"]
    client.post(reverse("accounts:account_roles", args=[trainer.pk]), {"roles": ["trainer"]})
    assert held(trainer) == ["trainer"]


def test_nobody_takes_away_their_own_staff_role(client):
    root = UserFactory(is_superuser=True, roles=["staff"], two_factor=True)
    client.force_login(root)
    response = client.post(reverse("accounts:account_roles", args=[root.pk]), {"roles": ["trainer"]})
    assert "Je kunt je eigen rol als Werkzaak-medewerker niet weghalen" in response.content.decode()
    assert held(root) == ["staff"]


def test_giving_yourself_a_role_on_the_team_page_keeps_you_logged_in(client):
    root = UserFactory(is_superuser=True, two_factor=True)
    log_in_with_code(client, root)
    response = client.post(reverse("accounts:account_roles", args=[root.pk]), {"roles": ["trainer"]})
    assert response.status_code == 302
    assert held(root) == ["trainer"]
    assert client.get(reverse("accounts:team_list")).status_code == 200


# --- access ---


def test_staff_deactivate_a_trainer_whose_sessions_end_and_reactivate_them(staff_client):
    trainer = UserFactory(roles=["trainer"])
    their_browser = logged_in(trainer)
    response = staff_client.post(reverse("accounts:account_deactivate", args=[trainer.pk]))
    assert response.status_code == 302
    assert not User.objects.get(pk=trainer.pk).is_active
    assert their_browser.get(reverse("overview:home")).url.startswith(reverse("account_login"))

    staff_client.post(reverse("accounts:account_reactivate", args=[trainer.pk]))
    assert User.objects.get(pk=trainer.pk).is_active


def test_deactivating_asks_first_and_the_question_changes_nothing(staff_client):
    trainer = UserFactory(first_name="Tom", last_name="Trainerman", email="tom@example.org", roles=["trainer"])
    their_browser = logged_in(trainer)
    url = reverse("accounts:account_deactivate", args=[trainer.pk])
    assert f'href="{url}"' in staff_client.get(reverse("accounts:account_detail", args=[trainer.pk])).content.decode()

    page = staff_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tom Trainerman deactiveren?" in text
    assert "tom@example.org" in text
    assert "Die kan niet meer inloggen tot je het account weer activeert" in text
    assert "De rollen blijven" in text
    assert "Ja, deactiveren" in text
    assert f'href="{reverse("accounts:account_detail", args=[trainer.pk])}" data-testid="cancel"' in text
    assert User.objects.get(pk=trainer.pk).is_active
    assert held(trainer) == ["trainer"]
    assert their_browser.get(reverse("overview:home")).status_code == 200


def test_the_deactivation_question_lists_the_runs_they_still_give(staff_client):
    trainer = UserFactory(roles=["trainer"])
    AssignmentFactory(trainer=trainer, training__title="Tiel voorjaar", training__status="open")
    AssignmentFactory(trainer=trainer, training__title="Culemborg", training__status="draft", role="co_trainer")
    AssignmentFactory(trainer=trainer, training__title="Geldermalsen", training__status="completed")
    AssignmentFactory(trainer=trainer, training__title="Buren", training__status="cancelled")
    AssignmentFactory(training__title="Zaltbommel")  # another trainer's
    page = staff_client.get(reverse("accounts:account_deactivate", args=[trainer.pk]))
    assert [text for text, url in page.context["commitments"]] == [
        "Culemborg (Co-trainer)",
        "Tiel voorjaar (Hoofdtrainer)",
    ]
    assert queries.ACCOUNT_COMMITMENTS.count(runs_given_by) == 1
    assert "Trainingen die diegene geeft" in page.content.decode()
    assert not staff_client.get(
        reverse("accounts:account_deactivate", args=[UserFactory(roles=["trainer"]).pk])
    ).context["commitments"]


def test_a_deactivation_the_service_would_refuse_is_not_asked(client, root):
    client.force_login(root)
    response = client.get(reverse("accounts:account_deactivate", args=[root.pk]), follow=True)
    assert response.redirect_chain == [(reverse("accounts:account_detail", args=[root.pk]), 302)]
    assert "Je kunt je eigen account niet deactiveren." in response.content.decode()
    gone = UserFactory(roles=["trainer"], is_active=False)
    response = client.get(reverse("accounts:account_deactivate", args=[gone.pk]), follow=True)
    assert "Dit account is al gedeactiveerd." in response.content.decode()


def test_nobody_deactivates_themselves(client, root):
    client.force_login(root)
    response = client.post(reverse("accounts:account_deactivate", args=[root.pk]), follow=True)
    assert "Je kunt je eigen account niet deactiveren." in response.content.decode()
    assert User.objects.get(pk=root.pk).is_active


def test_a_superuser_deactivates_a_staff_member(client, root):
    colleague = UserFactory(roles=["staff"], two_factor=True)
    client.force_login(root)
    client.post(reverse("accounts:account_deactivate", args=[colleague.pk]))
    assert not User.objects.get(pk=colleague.pk).is_active


# --- two-factor ---


def test_staff_reset_a_trainers_two_factor_recorded_in_the_audit_trail(staff_client, staff_user):
    trainer = UserFactory(roles=["trainer"])
    their_browser = logged_in(trainer)
    response = staff_client.post(reverse("accounts:account_two_factor_reset", args=[trainer.pk]))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=trainer).exists()
    # logged out; at the next login the set-up comes first (RequireTwoFactorMiddleware)
    assert their_browser.get(reverse("overview:home")).url.startswith(reverse("account_login"))
    their_browser.force_login(trainer)
    assert their_browser.get(reverse("overview:home")).url == reverse("accounts:two_factor_setup")

    entry = LogEntry.objects.get_for_object(trainer).get(actor=staff_user, changes__has_key="two_factor")
    assert entry.changes["two_factor"] == ["ingesteld", "hersteld"]
    rows = staff_client.get(reverse("privacy:audit")).context["rows"]
    [reset] = [row for row in rows if row["entry"] == entry]
    assert reset["changes"] == [{"field": "tweestapsverificatie", "old": "ingesteld", "new": "hersteld"}]
    assert reset["entry"].actor == staff_user


def test_resetting_two_factor_asks_first_and_the_question_changes_nothing(staff_client):
    trainer = UserFactory(first_name="Tom", last_name="Trainerman", email="tom@example.org", roles=["trainer"])
    factors = Authenticator.objects.filter(user=trainer).count()
    assert factors
    their_browser = logged_in(trainer)
    url = reverse("accounts:account_two_factor_reset", args=[trainer.pk])
    assert f'href="{url}"' in staff_client.get(reverse("accounts:account_detail", args=[trainer.pk])).content.decode()

    page = staff_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tweestapsverificatie van Tom Trainerman herstellen?" in text
    assert "tom@example.org" in text
    assert "authenticator-app, passkeys en herstelcodes worden verwijderd" in text
    assert "echt die persoon" in text
    assert "Ja, herstellen" in text
    assert Authenticator.objects.filter(user=trainer).count() == factors
    assert their_browser.get(reverse("overview:home")).status_code == 200
    assert not LogEntry.objects.get_for_object(trainer).filter(changes__has_key="two_factor").exists()


def test_a_two_factor_reset_without_two_factor_is_not_asked(staff_client):
    trainer = UserFactory(roles=["trainer"], two_factor=False)
    response = staff_client.get(reverse("accounts:account_two_factor_reset", args=[trainer.pk]), follow=True)
    assert response.redirect_chain == [(reverse("accounts:account_detail", args=[trainer.pk]), 302)]
    assert "Dit account heeft geen tweestapsverificatie ingesteld." in response.content.decode()


# --- names ---


def test_staff_correct_a_trainers_name(staff_client):
    trainer = UserFactory(roles=["trainer"], first_name="Tineek")
    data = {"first_name": "Tineke", "last_name": "de Boer"}
    assert staff_client.post(reverse("accounts:account_name", args=[trainer.pk]), data).status_code == 302
    trainer = User.objects.get(pk=trainer.pk)
    assert (trainer.first_name, trainer.last_name) == ("Tineke", "de Boer")


@pytest.mark.parametrize("roles", [["trainer"], ["ambassador"], ["staff"], ["master_trainer"], []])
def test_everyone_changes_their_own_name_on_their_account_page(client, roles):
    user = UserFactory(roles=roles, first_name="Oud", two_factor=True)
    client.force_login(user)
    page = client.get(reverse("accounts:my_account")).content.decode()
    for name in ("account_email", "account_change_password", "mfa_index"):
        assert reverse(name) in page
    response = client.post(reverse("accounts:my_account"), {"first_name": "Nieuw", "last_name": "Naam"})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).get_full_name() == "Nieuw Naam"
    assert reverse("accounts:my_account") in client.get(reverse("overview:home")).content.decode()


def test_an_empty_first_name_is_refused_next_to_the_field(client):
    user = UserFactory(roles=["trainer"], first_name="Oud")
    client.force_login(user)
    response = client.post(reverse("accounts:my_account"), {"first_name": "", "last_name": "Naam"})
    assert response.status_code == 200
    assert "first_name" in response.context["form"].errors
    assert User.objects.get(pk=user.pk).first_name == "Oud"


# --- invitations ---


def test_re_inviting_an_address_with_an_account_leads_to_that_account(staff_client):
    trainer = UserFactory(email="bestaat@example.org", roles=["trainer"])
    data = {"email": "BESTAAT@example.org", "roles": ["ambassador"], "language": "nl"}
    response = staff_client.post(reverse("accounts:invitation_create"), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:account_detail", args=[trainer.pk])
    assert "bestaat@example.org heeft al een account" in response.content.decode()
    assert not Invitation.objects.exists()


def test_staff_resend_an_open_invitation(staff_client, django_capture_on_commit_callbacks):
    from django.core import mail

    invitation = InvitationFactory(email="open@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(reverse("accounts:invitation_resend", args=[invitation.pk])).status_code == 302
    assert [message.to for message in mail.outbox] == [["open@example.org"]]
    assert Invitation.objects.count() == 1


def test_an_expired_invitation_is_sent_as_a_fresh_one(staff_client, staff_user):
    from django.utils import timezone

    old = InvitationFactory(email="laat@example.org", roles=["ambassador"], first_name="Lotte")
    Invitation.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(days=30))
    staff_client.post(reverse("accounts:invitation_resend", args=[old.pk]))
    fresh = Invitation.objects.exclude(pk=old.pk).get()
    assert (fresh.email, fresh.roles, fresh.first_name, fresh.invited_by) == (
        "laat@example.org",
        ["ambassador"],
        "Lotte",
        staff_user,
    )
    assert fresh.status == Invitation.Status.OPEN


def test_a_revoked_invitation_is_not_sent_again(staff_client):
    invitation = InvitationFactory(email="weg@example.org")
    staff_client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    response = staff_client.post(reverse("accounts:invitation_resend", args=[invitation.pk]), follow=True)
    assert "niet opnieuw versturen" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_staff_see_the_team_link(staff_client):
    page = staff_client.get(reverse("overview:home")).content.decode()
    assert reverse("accounts:team_list") in page
