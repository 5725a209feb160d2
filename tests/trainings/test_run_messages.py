"""A message to the participants of a run or of one meeting (issue 17): one outbox row per participant,
in their language with their name, kept in the run's history with what was delivered and what failed."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import AssignmentFactory, EnrolmentFactory, TrainingFactory, UserFactory
from trainings.enums import EnrolmentStatus, MessageKind, MessageStatus, RunMessageKind
from trainings.models import RunMessage, ScheduledMessage
from trainings.services.enrolment import enrolment_cancel
from trainings.services.messages import run_message_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    return TrainingFactory(meetings=3, status="open")


def send(run, **kwargs):
    fields = {"subject": "Neem een casus mee", "body": "Neem een situatie mee.\nTot dinsdag!", "sent_by": None}
    return run_message_send(training=run, **{**fields, **kwargs})


def test_every_participant_gets_one_row_and_nobody_else(run):
    registered = EnrolmentFactory(training=run)
    completed = EnrolmentFactory(training=run, status=EnrolmentStatus.COMPLETED)
    EnrolmentFactory(training=run, status=EnrolmentStatus.WAITLISTED)
    EnrolmentFactory(training=run, status=EnrolmentStatus.CANCELLED)
    EnrolmentFactory(training=TrainingFactory(meetings=1))  # another run
    message = send(run)
    rows = ScheduledMessage.objects.filter(run_message=message)
    assert sorted(rows.values_list("enrolment", flat=True)) == sorted([registered.pk, completed.pk])
    assert set(rows.values_list("kind", "status")) == {(MessageKind.RUN_MESSAGE, MessageStatus.PENDING)}
    assert (message.training, message.kind, message.meeting) == (run, RunMessageKind.MESSAGE, None)


def test_the_mail_is_personal_and_in_the_participants_language(run, django_capture_on_commit_callbacks):
    EnrolmentFactory(training=run, person__first_name="Anouk", person__email="anouk@example.org")
    EnrolmentFactory(training=run, person__first_name="Sam", person__email="sam@example.org", language="en")
    sender = UserFactory(roles=["staff"], first_name="Petra", last_name="Smit")
    with django_capture_on_commit_callbacks(execute=True):
        message = send(run, sent_by=sender)
    by_address = {email.to[0]: email for email in mail.outbox}
    assert sorted(by_address) == ["anouk@example.org", "sam@example.org"]
    dutch, english = by_address["anouk@example.org"], by_address["sam@example.org"]
    assert dutch.subject.endswith(f"{run.title}: Neem een casus mee")
    assert "Hallo Anouk," in dutch.body
    assert "Neem een situatie mee.\nTot dinsdag!" in dutch.body
    assert "Petra Smit" in dutch.body
    assert "Hello Sam," in english.body
    assert english.extra_headers["Content-Language"] == "en"
    assert set(message.mails.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_a_message_about_one_meeting_names_its_date_and_place(run, django_capture_on_commit_callbacks):
    EnrolmentFactory(training=run)
    meeting = run.meetings.get(number=2)
    with django_capture_on_commit_callbacks(execute=True):
        message = send(run, meeting=meeting, subject="De zaal is veranderd")
    assert message.meeting == meeting
    assert ScheduledMessage.objects.get(run_message=message).meeting == meeting
    (email,) = mail.outbox
    assert "bijeenkomst 2" in email.body
    assert meeting.location.name in email.body


def test_a_meeting_of_another_run_or_one_that_ended_is_refused(run):
    EnrolmentFactory(training=run)
    other = TrainingFactory(meetings=1).meetings.get()
    with pytest.raises(ValidationError) as refused:
        send(run, meeting=other)
    assert list(refused.value.error_dict) == ["meeting"]
    assert not RunMessage.objects.exists()


def test_a_run_without_participants_is_refused(run):
    EnrolmentFactory(training=run, status=EnrolmentStatus.WAITLISTED)
    with pytest.raises(ValidationError):
        send(run)
    assert not RunMessage.objects.exists()
    assert not ScheduledMessage.objects.exists()


def test_someone_who_leaves_before_it_goes_out_is_not_mailed(run, django_capture_on_commit_callbacks):
    leaving = EnrolmentFactory(training=run)
    EnrolmentFactory(training=run, person__email="stays@example.org")
    message = send(run)  # not sent yet: the tasks are queued on commit, which this test never runs
    enrolment_cancel(enrolment=leaving)
    from trainings.services.messages import messages_send_due

    mail.outbox.clear()
    messages_send_due()
    assert [email.to[0] for email in mail.outbox if "casus" in email.subject] == ["stays@example.org"]
    assert message.mails.get(enrolment=leaving).status == MessageStatus.CANCELLED


# --- the pages ----------------------------------------------------------------------------------


def test_the_page_shows_how_many_get_it_and_sending_returns_to_the_history(staff_client, run):
    EnrolmentFactory.create_batch(3, training=run)
    url = reverse("trainings:run_message", args=[run.pk])
    page = staff_client.get(url)
    assert len(page.context["recipients"]) == 3
    assert "3 deelnemers" in page.content.decode()
    response = staff_client.post(url, {"meeting": "", "subject": "Lokaal 2", "body": "We zitten in lokaal 2."})
    assert response.url == reverse("trainings:training_detail", args=[run.pk]) + "#history"
    message = RunMessage.objects.get()
    assert (message.subject, message.body, message.sent_by) == (
        "Lokaal 2",
        "We zitten in lokaal 2.",
        page.wsgi_request.user,
    )
    assert message.mails.count() == 3


def test_the_run_page_shows_the_history_with_delivered_and_failed(staff_client, run):
    EnrolmentFactory.create_batch(3, training=run)
    message = send(run, subject="Neem een casus mee")
    rows = list(message.mails.order_by("pk"))
    ScheduledMessage.objects.filter(pk=rows[0].pk).update(status=MessageStatus.SENT)
    ScheduledMessage.objects.filter(pk=rows[1].pk).update(status=MessageStatus.FAILED)
    response = staff_client.get(reverse("trainings:training_detail", args=[run.pk]))
    (entry,) = response.context["history"]
    assert (entry.recipients, entry.delivered, entry.failed) == (3, 1, 1)
    content = response.content.decode()
    assert "Neem een casus mee" in content
    assert "1 afgeleverd" in content
    assert "1 mislukt" in content


def test_the_runs_trainer_may_write_to_its_participants(client, run):
    trainer = UserFactory(roles=["trainer"])
    AssignmentFactory(training=run, trainer=trainer)
    EnrolmentFactory(training=run)
    client.force_login(trainer)
    detail = client.get(reverse("trainings:training_detail", args=[run.pk])).content.decode()
    assert reverse("trainings:run_message", args=[run.pk]) in detail
    client.post(reverse("trainings:run_message", args=[run.pk]), {"subject": "Hoi", "body": "Tot zo."})
    assert RunMessage.objects.get().sent_by == trainer


def test_another_runs_trainer_gets_404_and_a_master_trainer_403(client, run):
    EnrolmentFactory(training=run)
    trainer = UserFactory(roles=["trainer"])
    AssignmentFactory(training=TrainingFactory(meetings=1), trainer=trainer)
    client.force_login(trainer)
    url = reverse("trainings:run_message", args=[run.pk])
    assert client.post(url, {"subject": "Hoi", "body": "Tot zo."}).status_code == 404
    client.force_login(UserFactory(roles=["master_trainer"], two_factor=True))
    assert client.post(url, {"subject": "Hoi", "body": "Tot zo."}).status_code == 403
    assert not RunMessage.objects.exists()
    assert not ScheduledMessage.objects.exists()
