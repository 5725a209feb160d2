"""Service mail of the trainings app as ScheduledMessage rows.

Services schedule rows; the periodic task `trainings.send_due_messages` (and, for mail that is due
at once, a task queued on commit) claims each due row with SELECT ... FOR UPDATE SKIP LOCKED, marks
it SENDING, sends it and marks it SENT. A worker that dies between SENDING and SENT leaves a row
that is handed out again after STALE_AFTER: at most that one message goes out twice, with the same
Message-ID.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from dissemination.services.relations import PersonMailUse, register_person_mail_use
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
from ..models import Enrolment, Meeting, ScheduledMessage, Training, new_token

logger = logging.getLogger(__name__)

# A row left SENDING this long is handed out again; settings.EMAIL_TIMEOUT keeps a hung send shorter.
STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 5
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


def _last_meeting(training: Training) -> Meeting | None:
    return training.meetings.filter(status=MeetingStatus.SCHEDULED).order_by("-ends_at").first()


def _schedule_reminders(*, meetings, enrolments=(), users=(), again_if_sent: bool = False) -> None:
    """A MEETING_REMINDER for every scheduled meeting whose reminder time is still ahead and every
    recipient given, unless that recipient already has one for the meeting: waiting, or (unless
    `again_if_sent`, for a meeting that moved) sent. Safe to call again."""
    now = timezone.now()
    ahead = [
        meeting for meeting in meetings if meeting.status == MeetingStatus.SCHEDULED and reminder_due_at(meeting) > now
    ]
    if not ahead:
        return
    rows = ScheduledMessage.objects.filter(kind=MessageKind.MEETING_REMINDER, meeting__in=ahead)
    rows = rows.filter(status=MessageStatus.PENDING) if again_if_sent else rows.exclude(status=MessageStatus.CANCELLED)
    existing = set(rows.values_list("meeting_id", "enrolment_id", "user_id"))
    enrolments, users = list(enrolments), list(users)
    for meeting in ahead:
        due_at = reminder_due_at(meeting)
        for enrolment in enrolments:
            if (meeting.pk, enrolment.pk, None) not in existing:
                message_schedule(kind=MessageKind.MEETING_REMINDER, due_at=due_at, enrolment=enrolment, meeting=meeting)
        for user in users:
            if (meeting.pk, None, user.pk) not in existing:
                message_schedule(kind=MessageKind.MEETING_REMINDER, due_at=due_at, user=user, meeting=meeting)


def reminders_schedule_for_enrolment(*, enrolment: Enrolment) -> None:
    """Meeting reminders for the meetings still ahead, and both evaluation requests.

    Safe to call again (for example when an offered place is accepted): a message that is already
    waiting or sent for this enrolment is not scheduled a second time."""
    now = timezone.now()
    meetings = list(enrolment.training.meetings.filter(status=MeetingStatus.SCHEDULED).order_by("starts_at"))
    _schedule_reminders(meetings=meetings, enrolments=[enrolment])
    existing = set(
        ScheduledMessage.objects.filter(enrolment=enrolment, kind__in=EVALUATION_MOMENTS)
        .exclude(status=MessageStatus.CANCELLED)
        .values_list("kind", flat=True)
    )
    if meetings and meetings[0].ends_at > now and MessageKind.EVALUATION_BEFORE not in existing:
        message_schedule(kind=MessageKind.EVALUATION_BEFORE, enrolment=enrolment)
    if meetings and MessageKind.EVALUATION_AFTER not in existing:
        last_end = max(meeting.ends_at for meeting in meetings)
        message_schedule(kind=MessageKind.EVALUATION_AFTER, due_at=max(now, last_end), enrolment=enrolment)


def reminders_schedule_for_trainer(*, training: Training, user) -> None:
    """Meeting reminders for a trainer of the run, for the meetings still ahead. Safe to call again."""
    _schedule_reminders(meetings=training.meetings.filter(status=MeetingStatus.SCHEDULED), users=[user])


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


def messages_forget_recipient(*, user=None, enrolment_ids=()) -> int:
    """For an erased trainer (`user`) or participant (their enrolments): cancel the messages still
    waiting (there is no address any more) and empty the send errors of all of them, which may quote
    the address. Sent messages stay as history. Returns the number cancelled."""
    rows = ScheduledMessage.objects.filter(user=user) if user is not None else ScheduledMessage.objects.none()
    if enrolment_ids:
        rows = rows | ScheduledMessage.objects.filter(enrolment_id__in=list(enrolment_ids))
    cancelled = rows.filter(status=MessageStatus.PENDING).update(status=MessageStatus.CANCELLED)
    rows.exclude(last_error="").update(last_error="")
    # A notice that never went out (cancelled just now, or failed) still holds the old address.
    for message in rows.filter(kind=MessageKind.EMAIL_CHANGED, context__has_key="old_email"):
        ScheduledMessage.objects.filter(pk=message.pk).update(context=_context_kept(message))
    return cancelled


def reminders_schedule_for_meeting(*, meeting: Meeting, moved: bool = False) -> None:
    """Bring the messages of one meeting's run in line with it (call after saving the meeting: added,
    moved or cancelled). Safe to call again.

    Side effects: the meeting's waiting reminders move to its reminder time (due at once when that
    has passed); the run's active participants and trainers without a reminder get one when the
    reminder time is still ahead, also those already reminded when the meeting `moved`; the run's
    waiting after-evaluation requests move to the end of the last scheduled meeting."""
    now = timezone.now()
    training = meeting.training
    ScheduledMessage.objects.filter(
        kind=MessageKind.MEETING_REMINDER, meeting=meeting, status=MessageStatus.PENDING
    ).update(due_at=max(now, reminder_due_at(meeting)))
    _schedule_reminders(
        meetings=[meeting],
        enrolments=training.enrolments.filter(status__in=ACTIVE_STATUSES),
        users=training.trainers.all(),
        again_if_sent=moved,
    )
    last = _last_meeting(training)
    if last is not None:
        ScheduledMessage.objects.filter(
            kind=MessageKind.EVALUATION_AFTER, enrolment__training=training, status=MessageStatus.PENDING
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
    if message.kind in (MessageKind.MEETING_MOVED, MessageKind.MEETING_CANCELLED) and enrolment is not None:
        return enrolment.status in ACTIVE_STATUSES
    if message.kind == MessageKind.PERSONAL_LINKS:
        return bool(enrolment.person.email)  # staff emptied the address since
    if message.kind in EVALUATION_MOMENTS:
        if enrolment.training.status == TrainingStatus.CANCELLED:
            return False
        # Not for someone who left, who already answered, or whose questionnaire has closed.
        return evaluation_refusal(enrolment=enrolment, moment=EVALUATION_MOMENTS[message.kind]) is None
    return True


def _send_later(message: ScheduledMessage):
    """When a message came due too early, the time it should go instead, else None: an
    after-evaluation request whose questionnaire has not opened yet (a meeting was added or moved
    after the last one) waits for the end of the last scheduled meeting, as when it was scheduled."""
    if message.kind != MessageKind.EVALUATION_AFTER:
        return None
    last = _last_meeting(message.enrolment.training)
    if last is None or last.starts_at <= timezone.now():
        return None  # open now, or never: _still_relevant decides
    return last.ends_at


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
    later = _send_later(message)
    if later is not None:
        # Not an attempt to send: put the row back as it was, due at the new time.
        ScheduledMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.PENDING, due_at=later, attempts=F("attempts") - 1
        )
        return False
    if not _still_relevant(message):
        ScheduledMessage.objects.filter(pk=message.pk).update(status=MessageStatus.CANCELLED)
        return False
    try:
        email = build_email(message)
        email.send()
    except Exception as error:
        if not mail.is_temporary(error):
            # A refused recipient, a broken template: sending again would fail the same way. The
            # row records why; the log carries the traceback; the other due messages still go out.
            ScheduledMessage.objects.filter(pk=message.pk).update(
                status=MessageStatus.FAILED,
                last_error=f"{type(error).__name__}: {error}"[:1000],
                context=_context_kept(message),
            )
            logger.exception("message %s failed", message.pk)
            return False
        failed = message.attempts >= MAX_ATTEMPTS
        ScheduledMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED if failed else MessageStatus.PENDING,
            due_at=timezone.now() + timedelta(minutes=5 * message.attempts),
            last_error=str(error)[:1000],
        )
        logger.warning("message %s not sent: %s", message.pk, error)
        return False
    ScheduledMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        message_id=email.extra_headers["Message-ID"],
        context=_context_kept(message),
    )
    return True


def _context_kept(message: ScheduledMessage) -> dict:
    """What a row keeps once it is done: a notice forgets the old address it went to."""
    if message.kind == MessageKind.EMAIL_CHANGED:
        return {key: value for key, value in message.context.items() if key != "old_email"}
    return message.context


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


def mail_row_send_again(model, *, pk: int, queue) -> bool:
    """Put a FAILED row of a service-mail outbox (ScheduledMessage, ambassadors' CertificationNotice)
    back, due now, with its attempts reset, and call `queue()` on commit to send it. True when it was
    failed; False otherwise (already sent again, pending, cancelled), so a second click sends nothing.
    Raises model.DoesNotExist."""
    with transaction.atomic():
        row = model.objects.select_for_update().get(pk=pk)
        if row.status != MessageStatus.FAILED:
            return False
        model.objects.filter(pk=pk).update(
            status=MessageStatus.PENDING, due_at=timezone.now(), attempts=0, last_error="", claimed_at=None
        )
        transaction.on_commit(queue, robust=True)
    return True


def message_send_again(*, pk: int) -> bool:
    """A failed reminder or personal-links mail sent again (mail_row_send_again)."""
    from ..tasks import send_message

    return mail_row_send_again(ScheduledMessage, pk=pk, queue=lambda: send_message.delay(message_id=pk))


def register_failed_mail() -> None:
    """Show failed messages on dissemination's page of mail events, with "send again"."""
    from django.db.models.functions import Coalesce

    from dissemination.queries.newsletters_mail_events import MailSource, failed_service_mail, register_mail_source

    register_mail_source(
        MailSource(
            key="trainings.message",
            failed=lambda: failed_service_mail(
                ScheduledMessage.objects.filter(status=MessageStatus.FAILED),
                source="trainings.message",
                email=Coalesce("enrolment__person__email", "user__email"),
            ),
            retry=message_send_again,
            labels=dict(MessageKind.choices),
        )
    )


# --- a participant's address changed (dissemination: person_save, person_merge) ---


def _takes_part(person) -> bool:
    """Service mail of runs goes to the address of everyone who ever enrolled."""
    return Enrolment.objects.filter(person=person).exists()


def participant_address_changed(*, person, old_email: str, new_email: str, by_themselves: bool) -> None:
    """The address the mail of `person`'s enrolments goes to changed from `old_email` to `new_email`
    (by the person on their personal page, by staff, or by a merge that moves these enrolments to
    someone with another address). The earlier mails, with their personal links, stay in the old
    mailbox, so every one of these enrolments gets a new token: the old links open nothing any more.

    Side effects: the tokens; a notice to the old address (EMAIL_CHANGED: no new address, no link)
    and the new personal links to the new address (PERSONAL_LINKS), each a ScheduledMessage on the
    latest enrolment, in its language, sent at once after commit. No mail to an empty address."""
    enrolments = list(
        Enrolment.objects.filter(person=person).order_by("-created_at", "-pk").values_list("pk", flat=True)
    )
    if not enrolments:
        return
    for pk in enrolments:
        Enrolment.objects.filter(pk=pk).update(token=new_token())
    latest = Enrolment.objects.get(pk=enrolments[0])
    if old_email:
        message_schedule(
            kind=MessageKind.EMAIL_CHANGED,
            enrolment=latest,
            context={"old_email": old_email, "by_themselves": by_themselves},
        )
    if new_email:
        message_schedule(kind=MessageKind.PERSONAL_LINKS, enrolment=latest, context={"by_themselves": by_themselves})


PARTICIPANT_MAIL = PersonMailUse(receives_mail=_takes_part, address_changed=participant_address_changed)


def register_participant_mail() -> None:
    """Called from TrainingsConfig.ready: person_save and person_merge ask here whether a person is
    mailed as a participant and tell this app when the address changes (dissemination imports
    nothing of trainings)."""
    register_person_mail_use(PARTICIPANT_MAIL)


def personal_url(enrolment: Enrolment) -> str:
    return settings.SITE_URL + reverse("trainings:personal", kwargs={"token": enrolment.token})


def build_email(message: ScheduledMessage):
    """The mail for one row: templates/email/trainings/<kind>*, in the recipient's language."""
    from ..calendar import ics_for_meetings

    enrolment = message.enrolment
    if enrolment is not None:
        to, language, name = enrolment.person.email, enrolment.language, enrolment.person.first_name
        if message.kind == MessageKind.EMAIL_CHANGED:
            to = message.context["old_email"]  # the notice goes to the address mail went to until now
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
    if message.kind == MessageKind.PERSONAL_LINKS:
        # Every enrolment of whoever holds them now, with the token they have now: an address that
        # changed again meanwhile gets only the links that work.
        others = Enrolment.objects.filter(person_id=enrolment.person_id).select_related("training")
        context["links"] = [(other.training, personal_url(other)) for other in others.order_by("created_at", "pk")]
    if hasattr(enrolment, "certificate") and message.kind == MessageKind.CERTIFICATE:
        context["certificate"] = enrolment.certificate
    email = mail.build_message(template=f"trainings/{message.kind}", to=to, context=context, language=language)
    # The same row always carries the same Message-ID, also when a crash makes it go out twice.
    email.extra_headers["Message-ID"] = f"<trainings-message-{message.pk}@mentorwijs.nl>"
    if message.kind in (MessageKind.ENROLMENT_CONFIRMED, MessageKind.MEETING_MOVED, MessageKind.MEETING_CANCELLED):
        meetings = training.meetings.select_related("location", "training").order_by("number")
        email.attach("mentorwijs.ics", ics_for_meetings(meetings, name=training.title), "text/calendar")
    return email
