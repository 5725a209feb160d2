"""Cancelling a whole run, and undoing that while nothing has been mailed yet.

`training_cancel` cancels the run and its live enrolments and withdraws its waiting mail at once, but
the notices to the people concerned wait UNDO_WINDOW in the outbox: until then, and as long as none of
them has gone out, `training_cancel_undo` puts back exactly what the cancellation changed. Both lock
the run first, as every service of enrolment does; the undo then locks the notices, so a worker that
claims one (SKIP LOCKED) either finds it withdrawn or makes the undo refuse.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..enums import LIVE_STATUSES, EnrolmentStatus, MessageKind, MessageStatus, RunMessageKind, TrainingStatus
from ..models import Enrolment, RunMessage, ScheduledMessage, Training
from ..queries.scheduling import GONE_OUT
from .messages import message_schedule
from .scheduling import refuse_reopening_clashes

# How long a cancellation can be undone: its notices go out after this.
UNDO_WINDOW = timedelta(minutes=10)
# Runs that can be cancelled: a completed run has nothing left to cancel.
CANCELLABLE_STATUSES = [TrainingStatus.DRAFT, TrainingStatus.OPEN, TrainingStatus.FULL, TrainingStatus.RUNNING]


def training_cancel(*, training: Training, reason: str, by) -> RunMessage:
    """Cancel a run that is not completed or cancelled already, with the `reason` the notices give.

    Side effects: the run becomes CANCELLED; each live enrolment CANCELLED; every waiting mail of the
    run (reminders, evaluation requests, offers, messages) is withdrawn; a RunMessage (kind
    cancellation, `by`) records the reason and what undoing restores; a TRAINING_CANCELLED notice to
    every live enrolment and every trainer, due after UNDO_WINDOW."""
    with transaction.atomic():
        training = Training.objects.select_for_update().get(pk=training.pk)
        if training.status not in CANCELLABLE_STATUSES:
            raise ValidationError(_("Only a run that is not completed or cancelled can be cancelled."))
        now = timezone.now()
        enrolments = list(training.enrolments.select_for_update().filter(status__in=LIVE_STATUSES))
        pending = ScheduledMessage.objects.filter(status=MessageStatus.PENDING)
        waiting = pending.filter(meeting__training=training) | pending.filter(enrolment__training=training)
        withdrawn = sorted(waiting.values_list("pk", flat=True))
        ScheduledMessage.objects.filter(pk__in=withdrawn).update(status=MessageStatus.CANCELLED)
        cancellation = RunMessage.objects.create(
            training=training,
            kind=RunMessageKind.CANCELLATION,
            body=reason,
            sent_by=by,
            sent_at=now,
            undo={
                "status": training.status,
                "enrolments": {str(enrolment.pk): enrolment.status for enrolment in enrolments},
                "withdrawn": withdrawn,
            },
        )
        training.status = TrainingStatus.CANCELLED
        training.save(update_fields=["status"])
        Enrolment.objects.filter(pk__in=[enrolment.pk for enrolment in enrolments]).update(
            status=EnrolmentStatus.CANCELLED, cancelled_at=now
        )
        due_at = now + UNDO_WINDOW
        for enrolment in enrolments:
            message_schedule(
                kind=MessageKind.TRAINING_CANCELLED, enrolment=enrolment, due_at=due_at, run_message=cancellation
            )
        for trainer in training.trainers.all():
            message_schedule(kind=MessageKind.TRAINING_CANCELLED, user=trainer, due_at=due_at, run_message=cancellation)
    return cancellation


def undo_refusal(*, cancellation: RunMessage, training: Training, gone_out: int, now=None) -> str | None:
    """Why `cancellation` of `training` cannot be undone now (None: it can): the run is no longer
    cancelled, it was undone already, UNDO_WINDOW has passed, or `gone_out` of its notices have gone
    out. The run page asks with its annotated count, the service with a locked one."""
    if training.status != TrainingStatus.CANCELLED or not cancellation.is_cancellation:
        return _("This run is not cancelled.")
    if cancellation.undone_at is not None:
        return _("This cancellation has been undone already.")
    if (now or timezone.now()) >= cancellation.sent_at + UNDO_WINDOW:
        return _("The time to undo this cancellation has passed.")
    if gone_out:
        return _("The notices of the cancellation have gone out: it can no longer be undone.")
    return None


def training_cancel_undo(*, training: Training, by) -> Training:
    """Undo the run's latest cancellation while it may be (undo_refusal; ValidationError otherwise),
    and while its meetings clash with nothing booked meanwhile (as when a cancelled run is opened again).

    Side effects: the run gets its status back and each enrolment the cancellation cancelled its own
    (cancelled_at emptied); the mails it withdrew wait again; its notices are withdrawn; the
    cancellation records `by` and when, and stays in the run's history."""
    with transaction.atomic():
        training = Training.objects.select_for_update().get(pk=training.pk)
        cancellation = (
            RunMessage.objects.select_for_update()
            .filter(training=training, kind=RunMessageKind.CANCELLATION)
            .order_by("-sent_at", "-pk")
            .first()
        )
        if cancellation is None:
            raise ValidationError(_("This run is not cancelled."))
        notices = list(ScheduledMessage.objects.select_for_update().filter(run_message=cancellation))
        gone_out = sum(notice.status in GONE_OUT for notice in notices)
        refusal = undo_refusal(cancellation=cancellation, training=training, gone_out=gone_out)
        if refusal:
            raise ValidationError(refusal)
        training.status = cancellation.undo["status"]
        if training.status != TrainingStatus.DRAFT:
            refuse_reopening_clashes(training)
        training.save(update_fields=["status"])
        enrolments = Enrolment.objects.select_for_update().filter(
            training=training, pk__in=[int(pk) for pk in cancellation.undo["enrolments"]]
        )
        for enrolment in enrolments:
            enrolment.status = cancellation.undo["enrolments"][str(enrolment.pk)]
            enrolment.cancelled_at = None
            enrolment.save(update_fields=["status", "cancelled_at"])
        ScheduledMessage.objects.filter(pk__in=[notice.pk for notice in notices]).update(status=MessageStatus.CANCELLED)
        ScheduledMessage.objects.filter(pk__in=cancellation.undo["withdrawn"], status=MessageStatus.CANCELLED).update(
            status=MessageStatus.PENDING
        )
        cancellation.undone_at = timezone.now()
        cancellation.undone_by = by
        cancellation.save(update_fields=["undone_at", "undone_by"])
    return training
