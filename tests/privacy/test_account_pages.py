"""The privacy pages of account holders: the list, the data page and its JSON, the erasure form.
Staff only; each list and page runs a fixed number of queries."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import CertificationEvidence, FidelityReview, RefresherMeeting
from dissemination.models import Event
from mentorwijs.accounts.models import User
from mentorwijs.privacy.models import ErasureRecord
from mentorwijs.privacy.services.account_data import account_data
from tests.conftest import client_for
from tests.factories import (
    AmbassadorFactory,
    AssignmentFactory,
    CertificationFactory,
    InvitationFactory,
    OutreachContactFactory,
    PersonFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.models import ScheduledMessage

pytestmark = pytest.mark.django_db


def trainer_with(rows: int, **kwargs):
    """A trainer with `rows` of every kind the account export holds."""
    trainer = UserFactory(roles=["trainer", "ambassador"], two_factor=True, **kwargs)
    AmbassadorFactory(user=trainer, offers=["tell_network"])
    InvitationFactory(email=trainer.email, accepted_user=trainer, accepted_at=timezone.now())
    for number in range(rows):
        certification = CertificationFactory(holder=trainer, request_note=f"Verzoek {number}")
        CertificationEvidence.objects.create(
            certification=certification, file=f"evidence/x{number}.pdf", original_name=f"bewijs-{number}.pdf",
            content_type="application/pdf", size=1000 + number,
        )  # fmt: skip
        run = TrainingFactory(
            status="completed", meetings=2, meetings__first_meeting=timezone.now() - timedelta(days=60)
        )
        AssignmentFactory(training=run, trainer=trainer, role="lead")
        FidelityReview.objects.create(
            training=run, kind="self_report", reviewer=trainer, notes=f"Notitie {number}", average=3
        )
        OutreachContactFactory(logged_by=trainer, notes=f"Gesprek {number}")
        RefresherMeeting.objects.create(title=f"Terugkomdag {number}", held_on=timezone.localdate()).attendees.add(
            trainer
        )
        Event.objects.create(kind="congress", title=f"Congres {number}", date=timezone.localdate()).speakers.add(
            trainer
        )
        ScheduledMessage.objects.create(kind="meeting_reminder", user=trainer, due_at=timezone.now())
    return trainer


# The export


def test_the_account_export_holds_every_part(django_assert_max_num_queries):
    trainer = trainer_with(2, first_name="Tom", last_name="Trainerman")
    data = account_data(user=trainer)

    assert data["account"]["email"] == trainer.email
    assert data["account"]["roles"] == ["ambassador", "trainer"]
    assert [address["email"] for address in data["email_addresses"]] == [trainer.email]
    assert {factor["type"] for factor in data["second_factors"]} >= {"totp"}
    assert "secret" not in json.dumps(data)
    assert data["invitation"]["email"] == trainer.email
    assert [c["request_note"] for c in data["certifications"]] == ["Verzoek 0", "Verzoek 1"]
    assert [e["file_name"] for c in data["certifications"] for e in c["evidence"]] == ["bewijs-0.pdf", "bewijs-1.pdf"]
    assert data["ambassador"]["offers"] == ["tell_network"]
    assert sorted(c["notes"] for c in data["outreach_contacts"]) == ["Gesprek 0", "Gesprek 1"]
    assert len(data["assignments"]) == 2
    assert sorted(r["notes"] for r in data["fidelity_reviews"]) == ["Notitie 0", "Notitie 1"]
    assert len(data["refresher_meetings"]) == len(data["events_spoken"]) == len(data["messages"]) == 2
    json.dumps(data)  # JSON-ready


def test_another_accounts_rows_never_appear():
    trainer_with(2, first_name="Anders")
    mine = trainer_with(1, first_name="Mijn")
    text = json.dumps(account_data(user=mine))
    assert "Anders" not in text
    assert "Verzoek 1" not in text
    assert "Notitie 1" not in text


@pytest.mark.parametrize("rows", [1, 4])
def test_the_export_runs_a_fixed_number_of_queries(rows, django_assert_num_queries):
    trainer = trainer_with(rows)
    with django_assert_num_queries(16):
        account_data(user=trainer)


# The list


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_shows_every_account_with_its_roles_in_a_fixed_number_of_queries(
    staff_client, count, django_assert_num_queries
):
    for number in range(count):
        UserFactory(roles=["trainer"], first_name=f"Trainer{number:02d}")
    with django_assert_num_queries(4):
        response = staff_client.get(reverse("privacy:account_list"))
    assert response.status_code == 200
    assert response.context["paginator"].count == count + 1
    content = response.content.decode()
    assert "Trainer00" in content
    assert reverse("privacy:account_data", kwargs={"pk": User.objects.get(first_name="Trainer00").pk}) in content


def test_the_list_filters_by_words_role_and_status(staff_client):
    tom = UserFactory(roles=["trainer"], first_name="Tom", last_name="Trainerman")
    ambassador = UserFactory(roles=["ambassador"], first_name="Amber", email="amber@example.org")
    gone = UserFactory(roles=["trainer"], first_name="Gerrit")
    User.objects.filter(pk=gone.pk).update(is_active=False)

    def shown(**query):
        response = staff_client.get(reverse("privacy:account_list"), query)
        return {account.pk for account in response.context["object_list"]}

    assert shown(q="trainerman") == {tom.pk}
    assert shown(q="amber@example") == {ambassador.pk}
    assert shown(role="ambassador") == {ambassador.pk}
    assert shown(role="trainer", state="inactive") == {gone.pk}
    assert tom.pk in shown(state="active")
    assert gone.pk not in shown(state="active")
    assert shown(role="nonsense") == set(User.objects.values_list("pk", flat=True))  # an invalid filter shows all


@pytest.mark.parametrize("roles", [["trainer"], ["master_trainer"], ["ambassador"]])
def test_only_staff_use_the_account_pages(client, roles):
    client, _user = client_for(client, roles=roles, two_factor=True)
    other = UserFactory(roles=["trainer"])
    for name in ("privacy:account_data", "privacy:account_data_json", "privacy:account_erase"):
        assert client.get(reverse(name, kwargs={"pk": other.pk})).status_code == 403
    assert client.get(reverse("privacy:account_list")).status_code == 403
    assert client.post(reverse("privacy:account_erase", kwargs={"pk": other.pk}), {"reason": "x"}).status_code == 403
    assert User.objects.get(pk=other.pk).is_active


def test_an_unknown_account_answers_404(staff_client):
    assert staff_client.get(reverse("privacy:account_data", kwargs={"pk": 999999})).status_code == 404


# The data page and its JSON


@pytest.mark.parametrize("rows", [1, 4])
def test_the_data_page_shows_the_export_in_a_fixed_number_of_queries(staff_client, rows, django_assert_num_queries):
    trainer = trainer_with(rows, first_name="Tom", last_name="Trainerman")
    PersonFactory(email=trainer.email.upper(), first_name="Tom")
    with django_assert_num_queries(20):
        response = staff_client.get(reverse("privacy:account_data", kwargs={"pk": trainer.pk}))
    assert response.status_code == 200
    content = response.content.decode()
    for part in (
        "section-account",
        "section-certifications",
        "section-assignments",
        "section-fidelity",
        "section-outreach",
    ):
        assert f'data-testid="{part}"' in content
    assert "bewijs-0.pdf" in content
    assert 'data-testid="same-address-people"' in content  # the person record has its own erasure
    assert 'data-testid="erase-link"' in content


def test_the_json_download(staff_client):
    trainer = trainer_with(1)
    response = staff_client.get(reverse("privacy:account_data_json", kwargs={"pk": trainer.pk}))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="account-{trainer.pk}-gegevens.json"'
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content)["account"]["id"] == trainer.pk


def test_a_persons_page_leads_to_the_account_with_the_same_address(staff_client):
    trainer = UserFactory(roles=["trainer"], email="tom@example.org")
    person = PersonFactory(email="tom@example.org")
    page = staff_client.get(reverse("privacy:person_data", kwargs={"pk": person.pk})).content.decode()
    assert reverse("privacy:account_data", kwargs={"pk": trainer.pk}) in page


# Erasure through the form


def test_staff_erase_an_account_through_the_form(staff_client, staff_user):
    trainer = trainer_with(1, first_name="Tom")
    url = reverse("privacy:account_erase", kwargs={"pk": trainer.pk})
    page = staff_client.get(url)
    assert page.status_code == 200
    assert list(page.context["form"].fields) == ["reason"]
    assert 'data-testid="refusals"' not in page.content.decode()

    response = staff_client.post(url, {"reason": "Einde samenwerking"})

    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:account_data", kwargs={"pk": trainer.pk})
    record = ErasureRecord.objects.get(user_id=trainer.pk)
    assert (record.by, record.reason) == (staff_user, "Einde samenwerking")
    followed = staff_client.get(response["Location"]).content.decode()
    assert 'data-testid="erasures"' in followed
    assert 'data-testid="erase-link"' not in followed
    assert "Tom" not in followed


def test_the_reason_is_required(staff_client):
    trainer = UserFactory(roles=["trainer"])
    response = staff_client.post(reverse("privacy:account_erase", kwargs={"pk": trainer.pk}), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert User.objects.get(pk=trainer.pk).is_active


def test_the_form_says_why_it_refuses_and_erases_nothing(staff_client, staff_user):
    trainer = UserFactory(roles=["trainer"], first_name="Tom")
    AssignmentFactory(trainer=trainer, training=TrainingFactory(status="open", meetings=2, title="Mentorwijs Buren"))
    url = reverse("privacy:account_erase", kwargs={"pk": trainer.pk})
    page = staff_client.get(url).content.decode()
    assert 'data-testid="refusals"' in page
    assert "Mentorwijs Buren" in page
    assert 'data-testid="erase-form"' not in page  # a form that could only be refused is not offered

    response = staff_client.post(url, {"reason": "Verzoek"})

    assert response.status_code == 200
    assert "Mentorwijs Buren" in " ".join(response.context["form"].non_field_errors())
    assert User.objects.get(pk=trainer.pk).first_name == "Tom"
    assert not ErasureRecord.objects.exists()

    own = staff_client.post(reverse("privacy:account_erase", kwargs={"pk": staff_user.pk}), {"reason": "Verzoek"})
    assert own.status_code == 200
    assert own.context["form"].non_field_errors()
    assert User.objects.get(pk=staff_user.pk).is_active


def test_the_ambassador_list_leads_staff_to_each_accounts_privacy_page(staff_client):
    joined = AmbassadorFactory(user=UserFactory(roles=["ambassador"]))
    not_joined = AmbassadorFactory(user=None, person=PersonFactory())
    page = staff_client.get(reverse("ambassadors:ambassador_list")).content.decode()
    assert reverse("privacy:account_data", kwargs={"pk": joined.user_id}) in page
    assert page.count('data-testid="account-privacy"') == 1
    assert not_joined.person.email in page


def test_an_accepted_invitation_whose_address_was_forgotten_shows_its_account(staff_client):
    account = UserFactory(roles=["trainer"], first_name="Tom", last_name="Trainerman")
    InvitationFactory(email="", accepted_user=account, accepted_at=timezone.now())
    page = staff_client.get(reverse("accounts:invitation_list")).content.decode()
    assert "Tom Trainerman" in page
