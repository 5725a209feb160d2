"""A participant changes their own email address through their personal link; the old address is
told, the audit trail records it, and the next reminder goes to the new address. And who sees a
run's participants: staff and whoever gives the run, not a master trainer who does not."""

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse

from dissemination.services.relations import THE_PERSON, person_save
from tests.factories import AssignmentFactory, EnrolmentFactory, PersonFactory, TrainingFactory, UserFactory
from trainings.enums import MessageKind
from trainings.models import ScheduledMessage
from trainings.services.messages import message_schedule, messages_send_due
from trainings.views.public import ADDRESS_NOT_USABLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment():
    return EnrolmentFactory(
        training=TrainingFactory(meetings=5),
        person__first_name="Pien",
        person__last_name="Deelnemer",
        person__email="pien@oud.example",
        language="en",
    )


def email_url(enrolment):
    return reverse("trainings:personal_email", kwargs={"token": enrolment.token})


def test_the_personal_page_links_to_the_address_change(client, enrolment):
    response = client.get(reverse("trainings:personal", kwargs={"token": enrolment.token}))
    assert email_url(enrolment) in response.content.decode()
    response = client.get(email_url(enrolment))
    assert response.status_code == 200
    assert 'data-testid="current-email">pien@oud.example<' in response.content.decode()


def test_the_participant_changes_their_address_and_the_old_one_is_told(
    client, enrolment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(email_url(enrolment), {"email": " pien@nieuw.example "})
    assert response.status_code == 302
    assert response["Location"] == reverse("trainings:personal", kwargs={"token": enrolment.token})
    enrolment.person.refresh_from_db()
    assert enrolment.person.email == "pien@nieuw.example"
    assert [message.to for message in mail.outbox] == [["pien@oud.example"]]
    notice = mail.outbox[0]
    assert notice.extra_headers["Content-Language"] == "en"
    assert "changed on your personal page" in notice.body
    assert "pien@nieuw.example" not in notice.body
    assert enrolment.token not in notice.body
    entry = LogEntry.objects.get_for_object(enrolment.person).get(action=LogEntry.Action.UPDATE)
    assert entry.actor is None
    assert entry.changes_dict["email"] == ["pien@oud.example", "pien@nieuw.example"]
    assert entry.additional_data == {"changed_through": "personal_link"}


def test_the_next_reminder_goes_to_the_new_address(client, enrolment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(email_url(enrolment), {"email": "pien@nieuw.example"})
    mail.outbox.clear()
    message_schedule(kind=MessageKind.ENROLMENT_CONFIRMED, enrolment=enrolment)
    messages_send_due()
    assert [message.to for message in mail.outbox] == [["pien@nieuw.example"]]


def test_an_address_of_someone_else_is_refused_without_naming_them(client, enrolment):
    PersonFactory(first_name="Geheime", last_name="Ander", email="ander@example.org")
    response = client.post(email_url(enrolment), {"email": "ANDER@example.org"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"email": [str(ADDRESS_NOT_USABLE)]}
    assert "Ander" not in response.content.decode()
    enrolment.person.refresh_from_db()
    assert enrolment.person.email == "pien@oud.example"
    assert not ScheduledMessage.objects.filter(kind=MessageKind.EMAIL_CHANGED).exists()


@pytest.mark.parametrize("value", ["", "geen adres", "a@b"])
def test_a_bad_address_is_refused_next_to_the_field(client, enrolment, value):
    response = client.post(email_url(enrolment), {"email": value})
    assert list(response.context["form"].errors) == ["email"]
    enrolment.person.refresh_from_db()
    assert enrolment.person.email == "pien@oud.example"


def test_an_unknown_link_answers_404(client):
    assert client.get(reverse("trainings:personal_email", kwargs={"token": "x" * 32})).status_code == 404
    assert (
        client.post(
            reverse("trainings:personal_email", kwargs={"token": "x" * 32}), {"email": "a@example.org"}
        ).status_code
        == 404
    )


def test_one_notice_for_a_person_with_several_enrolments_in_the_language_of_the_latest(enrolment):
    later = EnrolmentFactory(person=enrolment.person, language="nl")
    person_save(person=enrolment.person, data={"email": "pien@nieuw.example"}, by=THE_PERSON)
    row = ScheduledMessage.objects.get(kind=MessageKind.EMAIL_CHANGED)
    assert (row.enrolment, row.context) == (later, {"old_email": "pien@oud.example", "by_themselves": True})


def test_erasure_cancels_a_waiting_notice_and_forgets_the_old_address_in_it(enrolment):
    from mentorwijs.privacy.services.erasure import person_erase

    # The notice waits (it would leave after commit) when the person, who left the run, is erased.
    person_save(person=enrolment.person, data={"email": "pien@nieuw.example"}, by=THE_PERSON)
    type(enrolment).objects.filter(pk=enrolment.pk).update(status="cancelled")
    person_erase(person=enrolment.person, by=None, reason="retention")
    row = ScheduledMessage.objects.get(kind=MessageKind.EMAIL_CHANGED)
    assert row.status == "cancelled"
    assert row.context == {"by_themselves": True}
    assert "pien@oud.example" not in str(ScheduledMessage.objects.values_list("context", flat=True))


# --- who sees a run's participants -------------------------------------------------------------


@pytest.fixture
def run_with_participant():
    run = TrainingFactory(meetings=5)
    EnrolmentFactory(training=run, person__last_name="Zichtbaarheid", person__email="zicht@example.org")
    return run


@pytest.mark.parametrize(
    ("roles", "gives_the_run", "sees"),
    [
        (["staff"], False, True),
        (["trainer"], True, True),
        (["master_trainer"], False, False),
        (["master_trainer", "trainer"], True, True),
    ],
)
def test_participants_show_to_staff_and_whoever_gives_the_run(client, run_with_participant, roles, gives_the_run, sees):
    user = UserFactory(roles=roles, two_factor=True)
    if gives_the_run:
        AssignmentFactory(training=run_with_participant, trainer=user)
    client.force_login(user)
    response = client.get(reverse("trainings:training_detail", kwargs={"pk": run_with_participant.pk}))
    assert response.status_code == 200
    content = response.content.decode()
    assert ("Zichtbaarheid" in content, "zicht@example.org" in content) == (sees, sees)
    assert ('data-testid="participants"' in content) is sees
    assert response.context["status_counts"]  # the numbers show to everyone who sees the run


@pytest.mark.parametrize("rows", [5, 200])
def test_the_run_page_of_a_trainer_runs_fixed_queries(client, django_assert_num_queries, rows):
    run = TrainingFactory(capacity=300, meetings=5)
    trainer = UserFactory(roles=["trainer"])
    AssignmentFactory(training=run, trainer=trainer)
    EnrolmentFactory.create_batch(rows, training=run)
    client.force_login(trainer)
    with django_assert_num_queries(7):
        response = client.get(reverse("trainings:training_detail", kwargs={"pk": run.pk}))
    assert response.content.decode().count('data-enrolment-status="registered"') == rows


@pytest.mark.parametrize("rows", [5, 200])
def test_the_run_page_of_a_master_trainer_runs_fixed_queries(client, django_assert_num_queries, rows):
    run = TrainingFactory(capacity=300, meetings=5)
    EnrolmentFactory.create_batch(rows, training=run)
    client.force_login(UserFactory(roles=["master_trainer"], two_factor=True))
    # No participants: one query fewer than staff, and none to ask whether they give the run.
    with django_assert_num_queries(6):
        response = client.get(reverse("trainings:training_detail", kwargs={"pk": run.pk}))
    assert 'data-enrolment-status="registered"' not in response.content.decode()
