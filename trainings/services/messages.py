"""Service mail of the trainings app as ScheduledMessage rows, sent by the one outbox
(mentorwijs.outbox.sender: claim, send outside the row lock, back off, sweep, a Message-ID per row).

This module holds what is the app's own: which messages to schedule and when, whether a row still
applies just before it goes out, and how its mail is built. Services schedule rows; the periodic task
`trainings.send_due_messages` (and, for mail that is due at once, a task queued on commit) sends them
through MESSAGES.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dissemination.services.relations import PersonMailUse, register_person_mail_use
from mentorwijs import mail
from mentorwijs.outbox.sender import MAX_ATTEMPTS, STALE_AFTER, Outbox  # noqa: F401 (the tests read them here)

from ..enums import (
    ACTIVE_STATUSES,
    EnrolmentStatus,
    EvaluationMoment,
    MeetingStatus,
    MessageKind,
    MessageStatus,
    RunMessageKind,
    TrainingStatus,
)
from ..models import Enrolment, Meeting, RunMessage, ScheduledMessage, Training, new_token
from ..queries.enrolment import active_participants
from ..queries.scheduling import message_meetings

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
    run_message: RunMessage | None = None,
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
        run_message=run_message,
    )
    MESSAGES.queue_if_due(message)
    return message


def run_message_send(*, training: Training, subject: str, body: str, sent_by, meeting: Meeting | None = None):
    """A message from staff or a trainer (`sent_by`) to everyone who takes part in the run (registered
    or completed: queries.enrolment.active_participants), about the whole run or one of its meetings
    (`meeting`, scheduled and not yet ended). Refused when nobody takes part, or the meeting is not
    one of the run's message_meetings.

    Side effects: a RunMessage in the run's history and a RUN_MESSAGE row per participant, due now,
    in their language with their name; a participant who leaves before it goes out is not mailed."""
    with transaction.atomic():
        training = Training.objects.select_for_update().get(pk=training.pk)
        if meeting is not None and not message_meetings(training=training).filter(pk=meeting.pk).exists():
            raise ValidationError({"meeting": _("Choose a meeting of this run that has not ended.")})
        recipients = list(active_participants(training_id=training.pk))
        if not recipients:
            raise ValidationError(_("Nobody takes part in this run yet: there is nobody to send a message to."))
        run_message = RunMessage.objects.create(
            training=training, meeting=meeting, kind=RunMessageKind.MESSAGE, subject=subject, body=body, sent_by=sent_by
        )
        for enrolment in recipients:
            message_schedule(
                kind=MessageKind.RUN_MESSAGE, enrolment=enrolment, meeting=meeting, run_message=run_message
            )
    return run_message


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
    if message.kind == MessageKind.RUN_MESSAGE:
        return enrolment.status in ACTIVE_STATUSES
    if message.kind == MessageKind.TRAINING_CANCELLED:
        # Opened again (or the cancellation undone) before the notice went out: nothing to tell.
        return message.run_message is None or message.run_message.training.status == TrainingStatus.CANCELLED
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
    return MESSAGES.claim(message_id)


def message_send(*, message_id: int) -> bool:
    """Claim and send one message. Returns True when a mail left."""
    return MESSAGES.send(message_id)


def _context_kept(message: ScheduledMessage) -> dict:
    """What a row keeps once it is done: a notice forgets the old address it went to."""
    if message.kind == MessageKind.EMAIL_CHANGED:
        return {key: value for key, value in message.context.items() if key != "old_email"}
    return message.context


def messages_send_due(*, limit: int = 500) -> int:
    """Hand back rows a dead worker left in SENDING, then send everything that is due (Outbox.send_due)."""
    return MESSAGES.send_due(limit=limit)


def message_send_again(*, pk: int) -> bool:
    """A failed reminder or personal-links mail sent again (Outbox.send_again)."""
    return MESSAGES.send_again(pk)


def register_failed_mail() -> None:
    """Show failed messages on dissemination's page of mail events, with "send again"."""
    from django.db.models.functions import Coalesce

    from dissemination.queries.newsletters_mail_events import register_outbox

    register_outbox(
        MESSAGES,
        key="trainings.message",
        email=Coalesce("enrolment__person__email", "user__email"),
        labels=dict(MessageKind.choices),
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
    """The mail for one row, with its fixed Message-ID (MESSAGES.email)."""
    return MESSAGES.email(message)


# Moments a row's context keeps as ISO text (scheduling._when), shown in the recipient's language.
CONTEXT_MOMENTS = ("old_starts_at", "old_ends_at")


def _moment(value):
    """An ISO moment from a row's context as a datetime; text of a row queued before it was ISO stays text."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value


def _build(message: ScheduledMessage):
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
        training = message.run_message.training if message.run_message is not None else message.meeting.training
    context = {
        "name": name,
        "training": training,
        "meeting": message.meeting,
        "enrolment": enrolment,
        "meetings": training.meetings.select_related("location").order_by("number"),
        "personal_url": personal_url(enrolment) if enrolment is not None else "",
        "run_message": message.run_message,
        **message.context,
    }
    context.update({key: _moment(context[key]) for key in CONTEXT_MOMENTS if key in context})
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
    if message.kind in (MessageKind.ENROLMENT_CONFIRMED, MessageKind.MEETING_MOVED, MessageKind.MEETING_CANCELLED):
        meetings = training.meetings.select_related("location", "training").order_by("number")
        email.attach("mentorwijs.ics", ics_for_meetings(meetings, name=training.title), "text/calendar")
    return email


def _queue(pk: int) -> None:
    from ..tasks import send_message

    send_message.delay(message_id=pk)


MESSAGES = Outbox(
    model=ScheduledMessage,
    name="message",
    message_id_prefix="trainings-message",
    build=_build,
    queue=_queue,
    related=(
        "enrolment__person",
        "enrolment__training__region",
        "user",
        "meeting__location",
        "meeting__training",
        "run_message__training",
        "run_message__sent_by",
    ),
    still_relevant=_still_relevant,
    send_later=_send_later,
    context_kept=_context_kept,
)
