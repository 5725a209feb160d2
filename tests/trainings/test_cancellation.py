"""Cancelling a run on its own page (issue 17): who is told, and an undo while nothing has been mailed."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import AssignmentFactory, CertificationFactory, EnrolmentFactory, TrainingFactory, UserFactory
from trainings.enums import EnrolmentStatus, MessageKind, MessageStatus, RunMessageKind, TrainingStatus
from trainings.models import Enrolment, RunMessage, ScheduledMessage
from trainings.services.cancellation import UNDO_WINDOW, training_cancel, training_cancel_undo
from trainings.services.messages import messages_send_due, reminders_schedule_for_enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    return TrainingFactory(meetings=3, status="full", capacity=2)


@pytest.fixture
def people(run):
    """Two with a place, one waiting, one offered a place, one who left, and a trainer."""
    registered = EnrolmentFactory(training=run, person__email="anouk@example.org")
    reminders_schedule_for_enrolment(enrolment=registered)
    offered = EnrolmentFactory(
        training=run,
        status=EnrolmentStatus.OFFERED,
        offer_expires_at=timezone.now() + timedelta(days=1),
        person__email="bram@example.org",
    )
    waiting = EnrolmentFactory(
        training=run, status=EnrolmentStatus.WAITLISTED, waitlisted_at=timezone.now(), person__email="cor@example.org"
    )
    left = EnrolmentFactory(training=run, status=EnrolmentStatus.CANCELLED, person__email="left@example.org")
    trainer = UserFactory(roles=["trainer"], email="trainer@example.org")
    CertificationFactory(holder=trainer)  # undoing opens the run again: its trainer must still be certified
    AssignmentFactory(training=run, trainer=trainer)
    return {"registered": registered, "offered": offered, "waiting": waiting, "left": left, "trainer": trainer}


def states(run):
    """What an undo must give back: the run's status, each enrolment's status and cancelled_at, each
    mail's status."""
    run.refresh_from_db()
    return (
        run.status,
        sorted(Enrolment.objects.filter(training=run).values_list("pk", "status", "cancelled_at")),
        sorted(ScheduledMessage.objects.filter(run_message__isnull=True).values_list("pk", "status")),
    )


def cancel(run, by=None):
    return training_cancel(training=run, reason="De trainer is ziek geworden.", by=by)


def test_the_live_enrolments_and_the_trainers_are_told_after_the_undo_window(run, people):
    before = timezone.now()
    cancellation = cancel(run)
    run.refresh_from_db()
    assert run.status == TrainingStatus.CANCELLED
    notices = ScheduledMessage.objects.filter(run_message=cancellation)
    assert sorted(filter(None, notices.values_list("enrolment", flat=True))) == sorted(
        [people["registered"].pk, people["offered"].pk, people["waiting"].pk]
    )
    assert list(filter(None, notices.values_list("user", flat=True))) == [people["trainer"].pk]
    assert {notice.kind for notice in notices} == {MessageKind.TRAINING_CANCELLED}
    assert all(before + UNDO_WINDOW <= notice.due_at <= timezone.now() + UNDO_WINDOW for notice in notices)
    assert set(Enrolment.objects.filter(training=run).values_list("status", flat=True)) == {EnrolmentStatus.CANCELLED}
    # The reminders wait no more; nothing has gone out yet.
    assert not ScheduledMessage.objects.filter(run_message__isnull=True, status=MessageStatus.PENDING).exists()
    assert (cancellation.kind, cancellation.body) == (RunMessageKind.CANCELLATION, "De trainer is ziek geworden.")
    messages_send_due()
    assert mail.outbox == []


def test_after_the_window_everyone_gets_the_reason(run, people):
    cancel(run)
    with time_machine.travel(timezone.now() + UNDO_WINDOW + timedelta(seconds=1)):
        messages_send_due()
    by_address = {email.to[0]: email for email in mail.outbox}
    assert sorted(by_address) == ["anouk@example.org", "bram@example.org", "cor@example.org", "trainer@example.org"]
    assert all("De trainer is ziek geworden." in email.body for email in mail.outbox)
    assert "inschrijving is geannuleerd" in by_address["anouk@example.org"].body
    assert "die je zou geven" in by_address["trainer@example.org"].body


def test_undo_restores_exactly_what_the_cancellation_changed(run, people):
    before = states(run)
    by = UserFactory(roles=["staff"])
    cancellation = cancel(run)
    assert states(run) != before
    training_cancel_undo(training=run, by=by)
    assert states(run) == before
    assert set(cancellation.mails.values_list("status", flat=True)) == {MessageStatus.CANCELLED}
    cancellation.refresh_from_db()
    assert cancellation.undone_by == by
    assert cancellation.undone_at is not None
    with time_machine.travel(timezone.now() + UNDO_WINDOW + timedelta(seconds=1)):
        messages_send_due()
    assert not [email for email in mail.outbox if "gaat niet door" in email.subject]


def test_undo_is_refused_once_a_notice_has_gone_out(run, people):
    cancellation = cancel(run)
    after = states(run)
    ScheduledMessage.objects.filter(pk=cancellation.mails.first().pk).update(status=MessageStatus.SENT)
    with pytest.raises(ValidationError, match="verstuurd"):
        training_cancel_undo(training=run, by=None)
    assert states(run) == after
    assert cancellation.mails.filter(status=MessageStatus.PENDING).count() == 3


def test_undo_is_refused_once_the_notices_went_out_and_after_the_window(run, people):
    cancel(run)
    with time_machine.travel(timezone.now() + UNDO_WINDOW + timedelta(seconds=1)):
        messages_send_due()
        with pytest.raises(ValidationError):
            training_cancel_undo(training=run, by=None)
    run.refresh_from_db()
    assert run.status == TrainingStatus.CANCELLED


def test_undo_is_refused_after_the_window_even_with_nobody_to_tell():
    run = TrainingFactory(meetings=1, status="open")
    cancel(run)
    later = time_machine.travel(timezone.now() + UNDO_WINDOW + timedelta(seconds=1))
    with later, pytest.raises(ValidationError, match="verstreken"):
        training_cancel_undo(training=run, by=None)


def test_a_completed_or_cancelled_run_cannot_be_cancelled(run):
    cancel(run)
    with pytest.raises(ValidationError):
        cancel(run)
    with pytest.raises(ValidationError):
        cancel(TrainingFactory(status="completed"))
    assert RunMessage.objects.count() == 1


def test_a_run_opened_again_through_its_edit_form_sends_no_notice_even_when_cancelled_again(run, people):
    from trainings.services.scheduling import training_update

    first = cancel(run)
    training_update(training=run, status=TrainingStatus.OPEN)
    assert set(first.mails.values_list("status", flat=True)) == {MessageStatus.CANCELLED}
    second = cancel(run)  # nobody is enrolled any more: only the trainer is told, once
    assert list(second.mails.values_list("user", flat=True)) == [people["trainer"].pk]
    training_update(training=run, status=TrainingStatus.OPEN)
    with time_machine.travel(timezone.now() + UNDO_WINDOW + timedelta(seconds=1)):
        messages_send_due()
    assert mail.outbox == []


# --- the pages ----------------------------------------------------------------------------------


def test_the_confirmation_page_lists_who_will_be_told(staff_client, run, people):
    response = staff_client.get(reverse("trainings:training_cancel", args=[run.pk]))
    assert {enrolment.pk for enrolment in response.context["enrolments"]} == {
        people["registered"].pk,
        people["offered"].pk,
        people["waiting"].pk,
    }
    assert response.context["trainers"] == [people["trainer"]]
    content = response.content.decode()
    assert "anouk@example.org" in content
    assert "left@example.org" not in content
    assert "10 minuten" in content
    run.refresh_from_db()
    assert run.status == TrainingStatus.FULL  # looking changes nothing


def test_confirming_cancels_and_the_run_page_offers_the_undo(staff_client, staff_user, run, people):
    url = reverse("trainings:training_cancel", args=[run.pk])
    assert staff_client.post(url, {"reason": ""}).status_code == 200  # the reason is required
    response = staff_client.post(url, {"reason": "Te weinig aanmeldingen."})
    assert response.url == reverse("trainings:training_detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == TrainingStatus.CANCELLED
    assert RunMessage.objects.get().sent_by == staff_user
    page = staff_client.get(response.url)
    assert page.context["undo_until"] is not None
    assert page.context["can_cancel"] is False
    assert reverse("trainings:training_cancel_undo", args=[run.pk]) in page.content.decode()
    staff_client.post(reverse("trainings:training_cancel_undo", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == TrainingStatus.FULL
    page = staff_client.get(response.url)
    assert page.context["undo_until"] is None
    assert [entry.undone_at is not None for entry in page.context["history"]] == [True]


def test_the_undo_button_goes_once_a_notice_went_out(staff_client, run, people):
    cancellation = cancel(run)
    ScheduledMessage.objects.filter(pk=cancellation.mails.first().pk).update(status=MessageStatus.SENDING)
    page = staff_client.get(reverse("trainings:training_detail", args=[run.pk]))
    assert page.context["undo_until"] is None
    response = staff_client.post(reverse("trainings:training_cancel_undo", args=[run.pk]), follow=True)
    assert "niet meer ongedaan" in response.content.decode()
    run.refresh_from_db()
    assert run.status == TrainingStatus.CANCELLED


def test_trainers_may_neither_cancel_nor_undo(client, run, people):
    client.force_login(people["trainer"])
    assert client.get(reverse("trainings:training_cancel", args=[run.pk])).status_code == 403
    assert client.post(reverse("trainings:training_cancel", args=[run.pk]), {"reason": "Weg"}).status_code == 403
    assert client.post(reverse("trainings:training_cancel_undo", args=[run.pk])).status_code == 403
    run.refresh_from_db()
    assert run.status == TrainingStatus.FULL
    assert not RunMessage.objects.exists()
