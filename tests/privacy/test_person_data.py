"""A person's data: everything held about them (and nobody else), as a page and as a JSON download."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Person
from mentorwijs.privacy.services.person_data import person_data
from tests.conftest import client_for
from tests.factories import PersonFactory, SubscriberFactory, UserFactory

from .person_helpers import person_with_everything

pytestmark = pytest.mark.django_db

# person (+organisation, ambassador), enrolments, attendances, evaluations, messages, event guests
# (+their invitation and reminder mails), outreach contacts, subscribers, lists, consents, deliveries,
# mail events, user (+ambassador), groups, certifications, certification events, evidence.
PERSON_DATA_QUERIES = 18


@pytest.fixture
def everything():
    return person_with_everything()


@pytest.fixture
def someone_else(everything):
    """Another person with rows of their own in the same run and organisation."""
    other = person_with_everything(
        email="Bert.Bos@example.org",
        first_name="Bert",
        last_name="Bos",
        training=everything.training,
        trainer=everything.trainer,
    )
    other.person.organisation = everything.person.organisation
    other.person.save()
    return other


def test_export_holds_the_person_and_their_organisation(everything):
    data = person_data(person=everything.person)
    assert data["person"] == {
        "id": everything.person.pk,
        "first_name": "Anna",
        "last_name": "Jansen",
        "email": "Anna.Jansen@example.org",
        "phone": "0612345678",
        "function": "Teamleider",
    }
    assert data["organisation"]["id"] == everything.person.organisation_id
    assert data["organisation"]["name"] == everything.person.organisation.name


def test_export_holds_enrolments_with_attendance_certificate_evaluations_and_mails(everything):
    [enrolment] = person_data(person=everything.person)["enrolments"]
    assert enrolment["id"] == everything.enrolment.pk
    assert enrolment["training"]["id"] == everything.training.pk
    assert enrolment["status"] == "completed"
    assert enrolment["source"] == "network"
    assert enrolment["dietary_wishes"] == "Geen noten"
    assert enrolment["privacy_version"] == "2026-11"
    assert enrolment["consented_at"] == timezone.localtime(everything.enrolment.consented_at).isoformat()
    first_meeting = everything.training.meetings.order_by("number").first()
    assert enrolment["training"]["first_meeting"][:10] == timezone.localdate(first_meeting.starts_at).isoformat()
    assert [a["present"] for a in enrolment["attendances"]] == [True, True, True, True, False]
    assert enrolment["attendances"][-1]["absence_reason"] == "Griep"
    assert enrolment["certificate"]["code"] == everything.enrolment.certificate.code
    assert [e["moment"] for e in enrolment["evaluations"]] == ["before", "after"]
    after = enrolment["evaluations"][1]
    assert after["remarks"] == "Anna vond het nuttig"
    assert after["satisfaction"] == 8
    assert set(after["self_efficacy"].values()) == {4}
    assert [m["kind"] for m in enrolment["messages"]] == ["certificate", "evaluation_after"]


def test_export_holds_event_guest_rows_and_outreach_contacts_as_contact_person(everything):
    data = person_data(person=everything.person)
    assert [(g["event"]["title"], g["invited"], g["attended"]) for g in data["event_guests"]] == [
        ("Slotcongres 0", True, True)
    ]
    [contact] = data["outreach_contacts"]
    assert contact["notes"] == "Gesprek 0 met Anna over het team"
    assert contact["channel"] == "conversation"
    assert contact["stage"] == "informed"
    assert contact["date"] == everything.person.outreach_contacts.get().date.isoformat()


def test_export_finds_the_subscriber_by_email_in_any_case_with_consents_and_deliveries(everything):
    [subscription] = person_data(person=everything.person)["subscriptions"]
    assert subscription["id"] == everything.subscriber.pk
    assert subscription["email"] == "anna.jansen@example.org"
    assert subscription["status"] == "confirmed"
    assert subscription["lists"] == ["Werkgevers"]
    assert [(c["list"], c["action"], c["email"]) for c in subscription["consents"]] == [
        ("Werkgevers", "given", "anna.jansen@example.org")
    ]
    assert [d["status"] for d in subscription["deliveries"]] == ["sent"]
    assert [e["kind"] for e in subscription["mail_events"]] == ["soft_bounce"]


def test_export_holds_the_account_with_the_same_email_without_password(everything):
    account = person_data(person=everything.person)["account"]
    assert account["id"] == everything.user.pk
    assert account["email"] == "anna.jansen@example.org"
    assert account["roles"] == ["ambassador", "trainer"]
    assert account["language"] == everything.user.language
    assert "password" not in account
    assert everything.user.password not in json.dumps(person_data(person=everything.person), default=str)
    [certification] = account["certifications"]
    assert certification["level"] == "co_trainer"
    assert [e["action"] for e in certification["events"]] == ["approved"]
    assert [(e["file_name"], e["content_type"], e["size"]) for e in certification["evidence"]] == [
        ("diploma-0.pdf", "application/pdf", 1234)
    ]
    assert account["ambassador"]["id"] == everything.user.ambassador.pk


def test_export_without_email_has_no_account_and_no_subscriptions():
    person = PersonFactory(email="")
    UserFactory(email="x@example.org")
    SubscriberFactory(email="y@example.org")
    data = person_data(person=person)
    assert data["account"] is None
    assert data["subscriptions"] == []
    assert data["enrolments"] == []


def test_export_never_holds_another_persons_data(everything, someone_else):
    data = person_data(person=everything.person)
    text = json.dumps(data).lower()
    assert "bert.bos" not in text
    assert {e["id"] for e in data["enrolments"]} == {everything.enrolment.pk}
    assert {s["id"] for s in data["subscriptions"]} == {everything.subscriber.pk}
    assert data["account"]["id"] == everything.user.pk
    other = person_data(person=someone_else.person)
    # Anna's own data, not the substring "anna": the run's trainer has a random Dutch first name
    # (Johanna, Marianne...), and the trainer is in both exports.
    other_text = json.dumps(other).lower()
    assert "anna.jansen@example.org" not in other_text
    assert "anna vond het nuttig" not in other_text
    assert everything.enrolment.pk not in {e["id"] for e in other["enrolments"]}
    assert everything.subscriber.pk not in {s["id"] for s in other["subscriptions"]}
    assert other["account"]["id"] != everything.user.pk


def test_export_runs_a_fixed_number_of_queries(django_assert_num_queries):
    few = person_with_everything(rows=1)
    with django_assert_num_queries(PERSON_DATA_QUERIES):
        few_data = person_data(person=few.person)
    many = person_with_everything(email="Carla@example.org", first_name="Carla", rows=4)
    with django_assert_num_queries(PERSON_DATA_QUERIES):
        many_data = person_data(person=many.person)
    assert len(few_data["enrolments"]) == 1
    assert len(many_data["enrolments"]) == 4
    assert sum(len(e["attendances"]) for e in many_data["enrolments"]) == 20
    assert len(many_data["subscriptions"]) == 4
    assert len(many_data["subscriptions"][0]["deliveries"]) == 4
    assert len(many_data["account"]["certifications"]) == 4
    assert len(many_data["outreach_contacts"]) == 4


# The pages


def test_staff_see_the_readable_page_with_every_section(staff_client, everything):
    response = staff_client.get(reverse("privacy:person_data", kwargs={"pk": everything.person.pk}))
    assert response.status_code == 200
    assert response.context["data"]["person"]["id"] == everything.person.pk
    html = response.content.decode()
    for section in ["person", "enrolments", "events", "outreach", "subscriptions", "account", "ambassador"]:
        assert f'data-testid="section-{section}"' in html
    assert "Anna vond het nuttig" in html
    assert "anna.jansen@example.org" in html
    assert 'data-testid="erase-link"' in html
    assert reverse("privacy:person_data_json", kwargs={"pk": everything.person.pk}) in html


def test_the_page_runs_a_fixed_number_of_queries(staff_client):
    few = person_with_everything(rows=1)
    url = reverse("privacy:person_data", kwargs={"pk": few.person.pk})
    staff_client.get(url)  # session and permission caches warm
    with CaptureQueriesContext(connection) as few_queries:
        assert staff_client.get(url).status_code == 200
    many = person_with_everything(email="Carla@example.org", first_name="Carla", rows=4)
    with CaptureQueriesContext(connection) as many_queries:
        assert staff_client.get(reverse("privacy:person_data", kwargs={"pk": many.person.pk})).status_code == 200
    assert len(many_queries) == len(few_queries)


def test_json_download_is_an_attachment_with_the_same_data(staff_client, everything):
    response = staff_client.get(reverse("privacy:person_data_json", kwargs={"pk": everything.person.pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="persoon-{everything.person.pk}-gegevens.json"'
    data = json.loads(response.content)
    expected = person_data(person=everything.person)
    del data["generated_at"], expected["generated_at"]
    assert data == json.loads(json.dumps(expected))


@pytest.mark.parametrize("name", ["person_data", "person_data_json", "person_erase"])
@pytest.mark.parametrize("roles", [["trainer"], ["master_trainer"], ["ambassador"]])
def test_other_roles_are_refused(client, name, roles, everything):
    client, _user = client_for(client, roles=roles, two_factor=True)
    assert client.get(reverse(f"privacy:{name}", kwargs={"pk": everything.person.pk})).status_code == 403


@pytest.mark.parametrize("name", ["person_data", "person_data_json", "person_erase"])
def test_anonymous_visitors_are_sent_to_login(client, name, everything):
    response = client.get(reverse(f"privacy:{name}", kwargs={"pk": everything.person.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["person_data", "person_data_json", "person_erase"])
def test_an_unknown_person_answers_404(staff_client, name):
    assert staff_client.get(reverse(f"privacy:{name}", kwargs={"pk": 999999})).status_code == 404


def test_the_person_edit_page_links_to_the_privacy_page_for_staff_only(staff_client, client):
    person = PersonFactory()
    url = reverse("dissemination:person_update", kwargs={"pk": person.pk})
    target = reverse("privacy:person_data", kwargs={"pk": person.pk})
    response = staff_client.get(url)
    assert 'data-testid="privacy-link"' in response.content.decode()
    assert target in response.content.decode()
    staff_client.logout()
    ambassador_client, ambassador = client_for(client, roles=["ambassador"])
    Person.objects.filter(pk=person.pk).update(added_by=ambassador)  # one of the ambassador's own people
    response = ambassador_client.get(url)
    assert response.status_code == 200
    assert target not in response.content.decode()
