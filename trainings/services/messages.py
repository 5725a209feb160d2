"""Service mail of the trainings app as ScheduledMessage rows.

Services schedule rows; the periodic task `trainings.send_due_messages` (and, for mail that is due
at once, a task queued on commit) claims each due row with SELECT ... FOR UPDATE SKIP LOCKED, marks
it SENDING, sends it and marks it SENT. A worker that dies between SENDING and SENT leaves a row
that is handed out again after STALE_AFTER: at most that one message goes out twice, with the same
Message-ID.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mentorwijs import mail

from ..enums import (
    ACTIVE_STATUSES,
    EnrolmentStatus,
    EvaluationMoment,
    MeetingStatus,
    MessageKind,
    MessageStatus,
    TrainingStatus,
)
from ..models import Enrolment, Meeting, ScheduledMessage, Training

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 5
TEMPORARY_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError)
EVALUATION_MOMENTS = {
    MessageKind.EVALUATION_BEFORE: EvaluationMoment.BEFORE,
    MessageKind.EVALUATION_AFTER: EvaluationMoment.AFTER,
}


def message_schedule(
    *,
    kind: str,
    due_at=None,
    enrolment: Enrolment | None = None,
    user=None,
    meeting: Meeting | None = None,
    context: dict | None = None,
) -> ScheduledMessage:
    """Store one message. Mail due now is also queued on commit, so it leaves within seconds;
    if the broker is down the periodic task sends it later."""
    now = timezone.now()
    message = ScheduledMessage.objects.create(
        kind=kind,
        due_at=due_at or now,
        enrolment=enrolment,
        user=user,
        meeting=meeting,
        context=context or {},
    )
    if message.due_at <= now:
        from ..tasks import send_message

        transaction.on_commit(lambda: send_message.delay(message_id=message.pk), robust=True)
    return message


def reminder_due_at(meeting: Meeting):
    return meeting.starts_at - timedelta(days=settings.MEETING_REMINDER_DAYS_BEFORE)


def reminders_schedule_for_enrolment(*, enrolment: Enrolment) -> None:
    """Meeting reminders for the meetings still ahead, and both evaluation requests.

    Safe to call again (for example when an offered place is accepted): a message that is already
    waiting or sent for this enrolment is not scheduled a second time."""
    now = timezone.now()
    meetings = list(enrolment.training.meetings.filter(status=MeetingStatus.SCHEDULED).order_by("starts_at"))
    existing = set(
        ScheduledMessage.objects.filter(enrolment=enrolment)
        .exclude(status=MessageStatus.CANCELLED)
        .values_list("kind", "meeting_id")
    )
    for meeting in meetings:
        if reminder_due_at(meeting) > now and (MessageKind.MEETING_REMINDER, meeting.pk) not in existing:
            message_schedule(
                kind=MessageKind.MEETING_REMINDER, due_at=reminder_due_at(meeting), enrolment=enrolment, meeting=meeting
            )
    if meetings and meetings[0].ends_at > now and (MessageKind.EVALUATION_BEFORE, None) not in existing:
        message_schedule(kind=MessageKind.EVALUATION_BEFORE, enrolment=enrolment)
    if meetings and (MessageKind.EVALUATION_AFTER, None) not in existing:
        last_end = max(meeting.ends_at for meeting in meetings)
        message_schedule(kind=MessageKind.EVALUATION_AFTER, due_at=max(now, last_end), enrolment=enrolment)


def reminders_schedule_for_trainer(*, training: Training, user) -> None:
    now = timezone.now()
    for meeting in training.meetings.filter(status=MeetingStatus.SCHEDULED):
        already = ScheduledMessage.objects.filter(
            kind=MessageKind.MEETING_REMINDER, meeting=meeting, user=user, status=MessageStatus.PENDING
        ).exists()
        if reminder_due_at(meeting) > now and not already:
            message_schedule(
                kind=MessageKind.MEETING_REMINDER, due_at=reminder_due_at(meeting), user=user, meeting=meeting
            )


def reminders_cancel(*, enrolment: Enrolment | None = None, user=None, meeting: Meeting | None = None, training=None):
    """Cancel waiting messages for a recipient, a meeting or a whole run (any combination)."""
    pending = ScheduledMessage.objects.filter(status=MessageStatus.PENDING)
    if enrolment is not None:
        pending = pending.filter(enrolment=enrolment)
    if user is not None:
        pending = pending.filter(user=user)
    if meeting is not None:
        pending = pending.filter(meeting=meeting)
    if training is not None:
        pending = pending.filter(meeting__training=training) | pending.filter(enrolment__training=training)
    return pending.update(status=MessageStatus.CANCELLED)


def reminders_follow_meeting(*, meeting: Meeting) -> None:
    """A meeting moved (call after saving it): its waiting reminders move with it, participants and
    trainers whose reminder already went out (or who had none) get one for the new time when that
    is still ahead, and the after-evaluation request follows the last meeting."""
    now = timezone.now()
    pending = ScheduledMessage.objects.filter(
        kind=MessageKind.MEETING_REMINDER, meeting=meeting, status=MessageStatus.PENDING
    )
    pending.update(due_at=max(now, reminder_due_at(meeting)))
    if meeting.status == MeetingStatus.SCHEDULED and reminder_due_at(meeting) > now:
        covered = list(pending.values_list("enrolment_id", "user_id"))
        covered_enrolments = {enrolment_id for enrolment_id, _user_id in covered if enrolment_id}
        covered_users = {user_id for _enrolment_id, user_id in covered if user_id}
        enrolments = meeting.training.enrolments.filter(status__in=ACTIVE_STATUSES).exclude(pk__in=covered_enrolments)
        for enrolment in enrolments:
            message_schedule(
                kind=MessageKind.MEETING_REMINDER, due_at=reminder_due_at(meeting), enrolment=enrolment, meeting=meeting
            )
        for user in meeting.training.trainers.exclude(pk__in=covered_users):
            message_schedule(
                kind=MessageKind.MEETING_REMINDER, due_at=reminder_due_at(meeting), user=user, meeting=meeting
            )
    last = meeting.training.meetings.filter(status=MeetingStatus.SCHEDULED).order_by("-ends_at").first()
    if last is not None:
        ScheduledMessage.objects.filter(
            kind=MessageKind.EVALUATION_AFTER, enrolment__training=meeting.training, status=MessageStatus.PENDING
        ).update(due_at=max(now, last.ends_at))


def _still_relevant(message: ScheduledMessage) -> bool:
    """Things change between scheduling and sending: never remind someone who left."""
    from .evaluation import evaluation_refusal

    enrolment = message.enrolment
    if message.kind == MessageKind.MEETING_REMINDER:
        meeting = message.meeting
        if meeting.status != MeetingStatus.SCHEDULED or meeting.training.status == TrainingStatus.CANCELLED:
            return False
        if meeting.starts_at <= timezone.now():
            return False  # a reminder that was held up until the meeting began is no use any more
        if enrolment is not None:
            return enrolment.status in ACTIVE_STATUSES
        return meeting.training.trainers.filter(pk=message.user_id).exists()
    if message.kind == MessageKind.WAITLIST_OFFER:
        return enrolment.status == EnrolmentStatus.OFFERED
    if message.kind in EVALUATION_MOMENTS:
        if enrolment.training.status == TrainingStatus.CANCELLED:
            return False
        # Not for someone who left, who already answered, or whose questionnaire has closed.
        return evaluation_refusal(enrolment=enrolment, moment=EVALUATION_MOMENTS[message.kind]) is None
    return True


def message_claim(*, message_id: int) -> ScheduledMessage | None:
    """Take one due message for sending; None when it is not due, gone, or another worker has it."""
    now = timezone.now()
    with transaction.atomic():
        message = (
            ScheduledMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, due_at__lte=now)
            .filter(status=MessageStatus.PENDING)
            .first()
        )
        if message is None:
            return None
        message.status = MessageStatus.SENDING
        message.claimed_at = now
        message.attempts += 1
        message.save(update_fields=["status", "claimed_at", "attempts"])
    return message


def message_send(*, message_id: int) -> bool:
    """Claim and send one message. Returns True when a mail left."""
    message = message_claim(message_id=message_id)
    if message is None:
        return False
    message = ScheduledMessage.objects.select_related(
        "enrolment__person", "enrolment__training__region", "user", "meeting__location", "meeting__training"
    ).get(pk=message.pk)
    if not _still_relevant(message):
        ScheduledMessage.objects.filter(pk=message.pk).update(status=MessageStatus.CANCELLED)
        return False
    try:
        email = build_email(message)
        email.send()
    except TEMPORARY_ERRORS as error:
        failed = message.attempts >= MAX_ATTEMPTS
        ScheduledMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED if failed else MessageStatus.PENDING,
            due_at=timezone.now() + timedelta(minutes=5 * message.attempts),
            last_error=str(error)[:1000],
        )
        logger.warning("message %s not sent: %s", message.pk, error)
        return False
    except Exception as error:
        # A refused recipient, a broken template: sending again would fail the same way. The row
        # records why; the log carries the traceback; the other due messages still go out.
        ScheduledMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED, last_error=f"{type(error).__name__}: {error}"[:1000]
        )
        logger.exception("message %s failed", message.pk)
        return False
    ScheduledMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), message_id=email.extra_headers["Message-ID"]
    )
    return True


def messages_send_due(*, limit: int = 500) -> int:
    """Hand back rows a dead worker left in SENDING, then send everything that is due. A row that
    was claimed MAX_ATTEMPTS times without an outcome (it keeps killing the worker) is FAILED."""
    now = timezone.now()
    stale = ScheduledMessage.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=now - STALE_AFTER)
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=MessageStatus.FAILED, last_error="the worker stopped while sending, too often"
    )
    stale.update(status=MessageStatus.PENDING)
    due = ScheduledMessage.objects.filter(status=MessageStatus.PENDING, due_at__lte=now).values_list("pk", flat=True)
    return sum(message_send(message_id=pk) for pk in list(due[:limit]))


def personal_url(enrolment: Enrolment) -> str:
    return settings.SITE_URL + reverse("trainings:personal", kwargs={"token": enrolment.token})


def build_email(message: ScheduledMessage):
    """The mail for one row: templates/email/trainings/<kind>*, in the recipient's language."""
    from ..calendar import ics_for_meetings

    enrolment = message.enrolment
    if enrolment is not None:
        to, language, name = enrolment.person.email, enrolment.language, enrolment.person.first_name
        training = enrolment.training
    else:
        to, language, name = message.user.email, message.user.language, message.user.first_name
        training = message.meeting.training
    context = {
        "name": name,
        "training": training,
        "meeting": message.meeting,
        "enrolment": enrolment,
        "meetings": training.meetings.select_related("location").order_by("number"),
        "personal_url": personal_url(enrolment) if enrolment is not None else "",
        **message.context,
    }
    if enrolment is not None and message.kind in EVALUATION_MOMENTS:
        from .evaluation import evaluation_url

        context["evaluation_url"] = evaluation_url(enrolment=enrolment, moment=EVALUATION_MOMENTS[message.kind])
    if hasattr(enrolment, "certificate") and message.kind == MessageKind.CERTIFICATE:
        context["certificate"] = enrolment.certificate
    email = mail.build_message(template=f"trainings/{message.kind}", to=to, context=context, language=language)
    # The same row always carries the same Message-ID, also when a crash makes it go out twice.
    email.extra_headers["Message-ID"] = f"<trainings-message-{message.pk}@mentorwijs.nl>"
    if message.kind in (MessageKind.ENROLMENT_CONFIRMED, MessageKind.MEETING_MOVED):
        meetings = training.meetings.select_related("location", "training").order_by("number")
        email.attach("mentorwijs.ics", ics_for_meetings(meetings, name=training.title), "text/calendar")
    return email
