"""A participant changes their own email address through their personal link; the old address is
told, the audit trail records it, every personal link mailed to the old address stops working and
the new ones go to the new address, and the next reminder goes there too. And who sees a run's
participants: staff and whoever gives the run as trainer, not a master trainer who does not."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from dissemination.services.relations import THE_PERSON, person_save
from tests.factories import AssignmentFactory, EnrolmentFactory, PersonFactory, TrainingFactory, UserFactory
from trainings.enums import MessageKind
from trainings.models import ScheduledMessage
from trainings.services.messages import message_schedule, messages_send_due, run_message_send
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
    old_token = enrolment.token
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(email_url(enrolment), {"email": " pien@nieuw.example "})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.token != old_token
    # The page goes on with the new link: the one who changed it keeps their page.
    assert response["Location"] == reverse("trainings:personal", kwargs={"token": enrolment.token})
    enrolment.person.refresh_from_db()
    assert enrolment.person.email == "pien@nieuw.example"
    assert [message.to for message in mail.outbox] == [["pien@oud.example"], ["pien@nieuw.example"]]
    notice = mail.outbox[0]
    assert notice.extra_headers["Content-Language"] == "en"
    assert "changed on your personal page" in notice.body
    assert "pien@nieuw.example" not in notice.body
    assert "/mijn/" not in notice.body  # no link, neither the old nor the new one
    entry = LogEntry.objects.get_for_object(enrolment.person).get(action=LogEntry.Action.UPDATE)
    assert entry.actor is None
    assert entry.changes_dict["email"] == ["pien@oud.example", "pien@nieuw.example"]
    assert entry.additional_data == {"changed_through": "personal_link"}


def test_the_new_personal_link_goes_to_the_new_address_only(client, enrolment, django_capture_on_commit_callbacks):
    old_token = enrolment.token
    with django_capture_on_commit_callbacks(execute=True):
        client.post(email_url(enrolment), {"email": "pien@nieuw.example"})
    enrolment.refresh_from_db()
    links = [message for message in mail.outbox if enrolment.token in message.body]
    assert [message.to for message in links] == [["pien@nieuw.example"]]
    new_link = links[0]
    assert new_link.extra_headers["Content-Language"] == "en"  # the participant's language
    assert "changed to this address on your personal page" in new_link.body
    assert "links in earlier mails no longer work" in new_link.body
    assert enrolment.training.title in new_link.body
    html = new_link.alternatives[0][0]
    assert reverse("trainings:personal", kwargs={"token": enrolment.token}) in html
    assert old_token not in new_link.body + html
    assert all(old_token not in message.body for message in mail.outbox)
    row = ScheduledMessage.objects.get(kind=MessageKind.PERSONAL_LINKS)
    assert (row.enrolment, row.status, row.context) == (enrolment, "sent", {"by_themselves": True})


def test_every_link_mailed_to_the_old_address_stops_working(client, enrolment, django_capture_on_commit_callbacks):
    completed = EnrolmentFactory(person=enrolment.person, status="completed")
    old = {"open": enrolment.token, "completed": completed.token}
    old_urls = [
        reverse("trainings:personal", kwargs={"token": old["open"]}),
        reverse("trainings:personal_cancel", kwargs={"token": old["open"]}),
        reverse("trainings:personal_email", kwargs={"token": old["open"]}),
        reverse("trainings:evaluation_form", kwargs={"token": old["open"], "moment": "voor"}),
        reverse("trainings:personal", kwargs={"token": old["completed"]}),
        reverse("trainings:personal_certificate", kwargs={"token": old["completed"]}),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(email_url(enrolment), {"email": "pien@nieuw.example"})
    other = Client()
    assert [other.get(url).status_code for url in old_urls] == [404] * len(old_urls)
    assert other.post(old_urls[1]).status_code == 404  # no cancelling
    assert other.post(old_urls[2], {"email": "kaper@example.org"}).status_code == 404  # no changing it back
    enrolment.refresh_from_db()
    completed.refresh_from_db()
    assert (enrolment.status, enrolment.person.email) == ("registered", "pien@nieuw.example")
    assert enrolment.token != old["open"]
    assert completed.token != old["completed"]
    assert other.get(reverse("trainings:personal", kwargs={"token": enrolment.token})).status_code == 200
    # One mail to the new address carries the new links of both enrolments.
    (new_links,) = [message for message in mail.outbox if message.to == ["pien@nieuw.example"]]
    assert enrolment.token in new_links.body
    assert completed.token in new_links.body


def test_a_change_of_case_only_keeps_the_links_and_mails_nobody(client, enrolment, django_capture_on_commit_callbacks):
    token = enrolment.token
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(email_url(enrolment), {"email": "PIEN@oud.example"})
    assert response["Location"] == reverse("trainings:personal", kwargs={"token": token})
    enrolment.refresh_from_db()
    assert (enrolment.token, enrolment.person.email) == (token, "PIEN@oud.example")
    assert mail.outbox == []


def test_the_address_form_is_rate_limited_per_client(client, enrolment, settings, django_capture_on_commit_callbacks):
    settings.PERSONAL_EMAIL_CHANGES_PER_HOUR = 2
    addresses = ["pien@een.example", "pien@twee.example", "pien@drie.example"]
    for address in addresses:
        with django_capture_on_commit_callbacks(execute=True):
            response = Client(REMOTE_ADDR="192.0.2.7").post(email_url(enrolment), {"email": address})
        if response.status_code == 302:
            enrolment.refresh_from_db()  # the page goes on with the new link
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["__all__"]  # said above the form
    enrolment.person.refresh_from_db()
    assert enrolment.person.email == "pien@twee.example"
    assert "pien@drie.example" not in {address for message in mail.outbox for address in message.to}
    # Another client is not held up by it.
    response = Client(REMOTE_ADDR="192.0.2.8").post(email_url(enrolment), {"email": "pien@drie.example"})
    assert response.status_code == 302


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


def test_one_notice_and_one_new_link_mail_for_a_person_with_several_enrolments_in_the_language_of_the_latest(
    enrolment,
):
    later = EnrolmentFactory(person=enrolment.person, language="nl")
    person_save(person=enrolment.person, data={"email": "pien@nieuw.example"}, by=THE_PERSON)
    row = ScheduledMessage.objects.get(kind=MessageKind.EMAIL_CHANGED)
    assert (row.enrolment, row.context) == (later, {"old_email": "pien@oud.example", "by_themselves": True})
    row = ScheduledMessage.objects.get(kind=MessageKind.PERSONAL_LINKS)
    assert (row.enrolment, row.context) == (later, {"by_themselves": True})


def test_staff_change_the_address_and_the_links_move_to_the_new_one(enrolment, django_capture_on_commit_callbacks):
    old_token = enrolment.token
    with django_capture_on_commit_callbacks(execute=True):
        person_save(person=enrolment.person, data={"email": "pien@nieuw.example"}, by=UserFactory(roles=["staff"]))
    enrolment.refresh_from_db()
    assert enrolment.token != old_token
    assert [message.to for message in mail.outbox] == [["pien@oud.example"], ["pien@nieuw.example"]]
    assert "Werkzaak staff changed the email address of your enrolment for Mentorwijs to this address" in (
        mail.outbox[1].body
    )
    assert enrolment.token in mail.outbox[1].body
    assert old_token not in mail.outbox[1].body


def test_a_new_link_mail_still_waiting_goes_to_the_address_of_the_moment_with_the_links_of_the_moment(enrolment):
    # Changed twice before the first mail left: it goes to the latest address with the latest links.
    person_save(person=enrolment.person, data={"email": "pien@tussen.example"}, by=THE_PERSON)
    person_save(person=enrolment.person, data={"email": "pien@nieuw.example"}, by=THE_PERSON)
    messages_send_due()
    enrolment.refresh_from_db()
    to_new = [message for message in mail.outbox if message.to == ["pien@nieuw.example"]]
    assert len(to_new) == 2
    assert all(enrolment.token in message.body for message in to_new)
    assert {address for message in mail.outbox for address in message.to} == {
        "pien@oud.example",
        "pien@tussen.example",  # its notice only
        "pien@nieuw.example",
    }
    (to_between,) = [message for message in mail.outbox if message.to == ["pien@tussen.example"]]
    assert "/mijn/" not in to_between.body


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
        # Still assigned, but no longer a trainer (the role was taken away): as for attendance, nothing.
        (["master_trainer"], True, False),
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


def test_a_trainer_who_loses_the_role_no_longer_sees_the_participants_of_a_run_still_assigned(run_with_participant):
    trainer = UserFactory(roles=["trainer"])
    AssignmentFactory(training=run_with_participant, trainer=trainer)
    trainer = type(trainer).objects.get(pk=trainer.pk)
    assert trainer.has_perm("trainings.view_participants", run_with_participant)
    assert trainer.has_perm("trainings.record_attendance", run_with_participant)
    trainer.groups.remove(Group.objects.get(name="trainer"))
    trainer = type(trainer).objects.get(pk=trainer.pk)  # roles are read once per request
    assert not trainer.has_perm("trainings.view_participants", run_with_participant)
    assert not trainer.has_perm("trainings.record_attendance", run_with_participant)


def with_history(run, rows) -> int:
    """Messages to the run's participants, by different senders: one with few rows, five with many."""
    history = 1 if rows < 50 else 5
    for number in range(history):
        run_message_send(training=run, subject=f"Bericht {number}", body="Tot dinsdag.", sent_by=UserFactory())
    return history


@pytest.mark.parametrize("rows", [5, 200])
def test_the_run_page_of_a_trainer_runs_fixed_queries(client, django_assert_num_queries, rows):
    run = TrainingFactory(capacity=300, meetings=5)
    trainer = UserFactory(roles=["trainer"])
    AssignmentFactory(training=run, trainer=trainer)
    EnrolmentFactory.create_batch(rows, training=run)
    history = with_history(run, rows)
    client.force_login(trainer)
    with django_assert_num_queries(7):
        response = client.get(reverse("trainings:training_detail", kwargs={"pk": run.pk}))
    assert response.content.decode().count('data-enrolment-status="registered"') == rows
    assert response.content.decode().count('data-testid="history-entry"') == history


@pytest.mark.parametrize("rows", [5, 200])
def test_the_run_page_of_a_master_trainer_runs_fixed_queries(client, django_assert_num_queries, rows):
    run = TrainingFactory(capacity=300, meetings=5)
    EnrolmentFactory.create_batch(rows, training=run)
    history = with_history(run, rows)
    client.force_login(UserFactory(roles=["master_trainer"], two_factor=True))
    # No participants: one query fewer than staff, and none to ask whether they give the run.
    with django_assert_num_queries(6):
        response = client.get(reverse("trainings:training_detail", kwargs={"pk": run.pk}))
    assert 'data-enrolment-status="registered"' not in response.content.decode()
    assert response.content.decode().count('data-testid="history-entry"') == history
