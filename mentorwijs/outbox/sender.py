"""The one sender of service mail: every mail that is not a newsletter is a row of an outbox.

An app declares an `Outbox` for its row model (a concrete OutboxMail) with its hooks: how to build
the mail of a row, whether a row still applies just before it is sent, when a row that came due too
early should go instead, what a row keeps once it is done, and the task that sends one row. Services
store rows (due now, or later); a row due now is also queued on commit (`queue_if_due`), and a periodic
task sends whatever is due (`send_due`), so a broker outage loses nothing.

Sending a row: it is claimed with SELECT ... FOR UPDATE SKIP LOCKED and marked SENDING in a short
transaction; the mail goes out after that transaction, holding no lock; the row is then marked SENT.
Two workers never send one row. A worker that dies between SENDING and SENT leaves a row that
`send_due` hands out again after STALE_AFTER: at most that one mail goes out twice, with the same
Message-ID (fixed per row). settings.EMAIL_TIMEOUT keeps a hanging SMTP call well below STALE_AFTER.
A temporary error (mail.is_temporary) puts the row back with a later due time, up to MAX_ATTEMPTS; any
other error fails it at once. Staff send a failed row again from the page of mail events (`send_again`).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from mentorwijs import mail

from .enums import MessageStatus

logger = logging.getLogger(__name__)

# A row left SENDING this long is handed out again; settings.EMAIL_TIMEOUT keeps a hung send shorter.
STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 5
# After a temporary error a row waits this long times the attempts made.
BACK_OFF = timedelta(minutes=5)


def _always(row) -> bool:
    return True


def _never(row):
    return None


def _as_is(row) -> dict:
    return row.context


@dataclass(frozen=True)
class Outbox:
    """The outbox of one row model and the hooks of the app that owns it.

    model: the concrete OutboxMail; name: what the log calls a row; message_id_prefix: a row's
    Message-ID is <prefix>-<pk>@mentorwijs.nl; build(row): the EmailMessage (the sender sets the
    Message-ID); queue(pk): queue the task that calls send(pk); related: select_related for a row about
    to be sent; still_relevant(row): False cancels the row instead of sending it; send_later(row): a
    later due time for a row that came due too early (None: send now); context_kept(row): the context a
    sent or failed row keeps (e.g. without an old address); on_sent(row): runs in the transaction that
    marks the row SENT (e.g. to note it on the domain row)."""

    model: type
    name: str
    message_id_prefix: str
    build: Callable
    queue: Callable[[int], object]
    related: tuple = ()
    still_relevant: Callable = _always
    send_later: Callable = _never
    context_kept: Callable = _as_is
    on_sent: Callable | None = None

    def message_id(self, row) -> str:
        return mail.fixed_message_id(self.message_id_prefix, row.pk)

    def email(self, row):
        """The mail of `row`, with its fixed Message-ID: the same each time the row goes out."""
        email = self.build(row)
        email.extra_headers["Message-ID"] = self.message_id(row)
        return email

    def queue_if_due(self, row) -> None:
        """Queue the sending of a row that is due now on commit, so it leaves within seconds;
        robust: when the broker is down the periodic send_due sends it later."""
        if row.due_at <= timezone.now():
            pk = row.pk
            transaction.on_commit(lambda: self.queue(pk), robust=True)

    def claim(self, pk: int):
        """Take one due row for sending (SENDING, one attempt more); None when it is not due, gone,
        or another worker has it."""
        now = timezone.now()
        with transaction.atomic():
            row = (
                self.model.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, due_at__lte=now, status=MessageStatus.PENDING)
                .first()
            )
            if row is None:
                return None
            row.status = MessageStatus.SENDING
            row.claimed_at = now
            row.attempts += 1
            row.save(update_fields=["status", "claimed_at", "attempts"])
        return row

    def send(self, pk: int) -> bool:
        """Claim and send one row, holding no lock while the mail goes out. Returns True when a mail
        left."""
        claimed = self.claim(pk)
        if claimed is None:
            return False
        rows = self.model.objects.filter(pk=pk)
        row = (rows.select_related(*self.related) if self.related else rows).get()
        later = self.send_later(row)
        if later is not None:
            # Not an attempt to send: put the row back as it was, due at the new time.
            rows.update(status=MessageStatus.PENDING, due_at=later, attempts=F("attempts") - 1)
            return False
        if not self.still_relevant(row):
            rows.update(status=MessageStatus.CANCELLED)
            return False
        try:
            email = self.email(row)
            email.send()
        except Exception as error:
            self._failed(row, error)
            return False
        with transaction.atomic():
            rows.update(
                status=MessageStatus.SENT,
                sent_at=timezone.now(),
                message_id=email.extra_headers["Message-ID"],
                context=self.context_kept(row),
            )
            if self.on_sent is not None:
                self.on_sent(row)
        return True

    def _failed(self, row, error: Exception) -> None:
        rows = self.model.objects.filter(pk=row.pk)
        if not mail.is_temporary(error):
            # A refused recipient, a broken template: sending again would fail the same way. The row
            # records why; the log carries the traceback; the other due rows still go out.
            rows.update(
                status=MessageStatus.FAILED,
                last_error=f"{type(error).__name__}: {error}"[:1000],
                context=self.context_kept(row),
            )
            logger.exception("%s %s failed", self.name, row.pk)
            return
        failed = row.attempts >= MAX_ATTEMPTS
        rows.update(
            status=MessageStatus.FAILED if failed else MessageStatus.PENDING,
            due_at=timezone.now() + BACK_OFF * row.attempts,
            last_error=str(error)[:1000],
        )
        logger.warning("%s %s not sent: %s", self.name, row.pk, error)

    def sweep(self) -> None:
        """Hand back rows a dead worker left in SENDING; one that was claimed MAX_ATTEMPTS times
        without an outcome (it keeps killing the worker) is FAILED."""
        stale = self.model.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=timezone.now() - STALE_AFTER)
        stale.filter(attempts__gte=MAX_ATTEMPTS).update(
            status=MessageStatus.FAILED, last_error="the worker stopped while sending, too often"
        )
        stale.update(status=MessageStatus.PENDING)

    def send_due(self, *, limit: int = 500) -> int:
        """The periodic task: sweep, then send everything that is due. Returns how many mails left."""
        self.sweep()
        due = self.model.objects.filter(status=MessageStatus.PENDING, due_at__lte=timezone.now())
        return sum(self.send(pk) for pk in list(due.values_list("pk", flat=True)[:limit]))

    def send_again(self, pk: int) -> bool:
        """Put a FAILED row back, due now, with its attempts reset, and queue it on commit. True when
        it was failed; False otherwise (already sent again, pending, cancelled), so a second click
        sends nothing. Raises model.DoesNotExist."""
        with transaction.atomic():
            row = self.model.objects.select_for_update().get(pk=pk)
            if row.status != MessageStatus.FAILED:
                return False
            self.model.objects.filter(pk=pk).update(
                status=MessageStatus.PENDING, due_at=timezone.now(), attempts=0, last_error="", claimed_at=None
            )
            transaction.on_commit(lambda: self.queue(pk), robust=True)
        return True
