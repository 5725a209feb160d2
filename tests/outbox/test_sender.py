"""The one sender of service mail (mentorwijs.outbox.sender), seen through the invitations' outbox:
sent holding no lock, backed off on a temporary error, swept when a worker died, a Message-ID per row."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from mentorwijs.accounts.models import Invitation, InvitationMail
from mentorwijs.accounts.services import INVITATIONS, invitation_resend, invitation_send, invitation_send_unsent
from mentorwijs.outbox.enums import MessageStatus
from mentorwijs.outbox.sender import STALE_AFTER
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


class DisconnectedBackend(BaseEmailBackend):
    """An SMTP server that hangs up: a temporary error."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class LockWatchingBackend(BaseEmailBackend):
    """Notes whether a transaction (and so possibly a row lock) was open while a mail went out."""

    in_transaction: list = []

    def send_messages(self, email_messages):
        LockWatchingBackend.in_transaction.append(connection.in_atomic_block)
        return len(email_messages)


def unsent_for(invitation, minutes=2):
    """The invitation as one the periodic task picks up (past the grace left to its own task)."""
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


@pytest.mark.django_db(transaction=True)
def test_the_invitation_mail_goes_out_holding_no_transaction_or_lock(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_sender.LockWatchingBackend"
    LockWatchingBackend.in_transaction = []
    invitation = InvitationFactory()

    invitation_send(invitation=invitation)

    assert LockWatchingBackend.in_transaction == [False]
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None


def test_a_temporary_error_backs_off_and_the_periodic_task_sends_it_later_with_the_rows_message_id(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_sender.DisconnectedBackend"
    invitation = InvitationFactory()
    before = timezone.now()

    invitation_send(invitation=invitation)

    row = InvitationMail.objects.get(invitation=invitation)
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.PENDING, 1, "Connection unexpectedly closed")
    assert row.due_at >= before + timedelta(minutes=5)
    assert Invitation.objects.get(pk=invitation.pk).sent_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    unsent_for(invitation)
    invitation_send_unsent()
    assert mail.outbox == []  # still backing off
    InvitationMail.objects.filter(pk=row.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    invitation_send_unsent()

    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == f"<accounts-invitation-{row.pk}@mentorwijs.nl>"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.message_id) == (MessageStatus.SENT, 2, message.extra_headers["Message-ID"])
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None


def test_a_row_a_dead_worker_left_sending_goes_out_after_stale_after_with_the_same_message_id():
    invitation = InvitationFactory()
    unsent_for(invitation)
    row = InvitationMail.objects.create(invitation=invitation, due_at=timezone.now())
    claimed = INVITATIONS.claim(row.pk)
    INVITATIONS.email(claimed).send()  # handed to the server; the worker dies before marking it sent

    invitation_send_unsent()
    assert len(mail.outbox) == 1  # still someone else's, for all we know
    InvitationMail.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - STALE_AFTER - timedelta(seconds=1))
    invitation_send_unsent()

    first, second = (message.extra_headers["Message-ID"] for message in mail.outbox)
    assert first == second == f"<accounts-invitation-{row.pk}@mentorwijs.nl>"
    assert InvitationMail.objects.get(pk=row.pk).status == MessageStatus.SENT


def test_an_invitation_mailed_again_is_a_new_row_with_a_message_id_of_its_own(django_capture_on_commit_callbacks):
    invitation = InvitationFactory()
    invitation_send(invitation=invitation)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(invitation=invitation, by=None)

    assert len({message.extra_headers["Message-ID"] for message in mail.outbox}) == 2
    assert list(invitation.mails.values_list("status", flat=True)) == [MessageStatus.SENT, MessageStatus.SENT]


def test_a_revoked_invitation_waiting_for_its_mail_is_not_mailed():
    invitation = InvitationFactory()
    row = InvitationMail.objects.create(invitation=invitation, due_at=timezone.now())
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())

    assert INVITATIONS.send(row.pk) is False

    assert mail.outbox == []
    assert InvitationMail.objects.get(pk=row.pk).status == MessageStatus.CANCELLED
