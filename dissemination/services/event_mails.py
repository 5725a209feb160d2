"""The mail of events (invitations and reminders) as EventMail rows of the one outbox
(mentorwijs.outbox.sender: claim, send outside the row lock, back off, sweep, a Message-ID per row).

- Inviting (events.event_invite, one by one, and events.event_invite_bulk, many at once) stores one
  INVITATION row per new guest with an address, due now, while the event is still ahead; the sending
  task is queued on commit, and `dissemination.send_due_event_mails` (every minute) sends whatever is
  due, so a broker outage loses nothing.
- The mail carries the guest's personal answer link (tokens.rsvp_url): a public page where the guest
  says yes or no (events.guest_answer) and can change it until the day of the event.
- `event_reminders_schedule` (the hourly task `dissemination.schedule_event_reminders`) stores one
  REMINDER row for every guest who said yes, or who has not answered an invitation mailed before
  today, of every event EVENT_REMINDER_DAYS_BEFORE days ahead or closer. One row per guest and kind
  (the constraint event_mail_once): a task that runs twice stores nothing twice.
- Just before a row goes out it is checked again (`_still_relevant`): the event has passed, the guest
  has no address any more, or (a reminder) said no: the row is cancelled instead.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from mentorwijs import mail
from mentorwijs.outbox.enums import MessageStatus
from mentorwijs.outbox.sender import Outbox

from ..enums import EventMailKind, RsvpAnswer
from ..models import Event, EventGuest, EventMail
from ..tokens import rsvp_url


def rsvp_open(event: Event, today=None) -> bool:
    """A guest can answer (and change the answer) up to and including the day of the event."""
    return event.date >= (today or timezone.localdate())


def _queue_sending() -> None:
    from ..tasks import send_due_event_mails

    send_due_event_mails.delay()


def invitations_schedule(*, guests) -> int:
    """One INVITATION row, due now, per guest in `guests` whose person has an address, when their
    event is still ahead; the sending is queued on commit (robust: a broker outage leaves the rows to
    the periodic task). Call inside the transaction that added the guests. Returns the rows stored."""
    now = timezone.now()
    today = timezone.localdate()
    rows = [
        EventMail(guest=guest, kind=EventMailKind.INVITATION, due_at=now)
        for guest in guests
        if guest.person.email and rsvp_open(guest.event, today)
    ]
    EventMail.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        transaction.on_commit(_queue_sending, robust=True)
    return len(rows)


def event_reminders_schedule(*, today=None) -> int:
    """A REMINDER row, due now, for every guest of an event from today up to
    EVENT_REMINDER_DAYS_BEFORE days ahead who said yes, or who has not answered an invitation mailed
    before today (not on the day it went out), and whose person has an address. Safe to run twice
    (and beside itself): the constraint event_mail_once lets one reminder per guest in. Returns the
    number of candidates (rows already stored among them included)."""
    today = today or timezone.localdate()
    last_day = today + timedelta(days=settings.EVENT_REMINDER_DAYS_BEFORE)
    invited_earlier = EventMail.objects.filter(
        guest=OuterRef("pk"),
        kind=EventMailKind.INVITATION,
        status=MessageStatus.SENT,
        sent_at__lt=timezone.make_aware(datetime.combine(today, time.min)),
    )
    guests = (
        EventGuest.objects.filter(invited=True, event__date__gte=today, event__date__lte=last_day)
        .exclude(person__email="")
        .alias(was_invited=Exists(invited_earlier))
        .filter(Q(rsvp=RsvpAnswer.YES) | Q(rsvp="", was_invited=True))
        .exclude(Exists(EventMail.objects.filter(guest=OuterRef("pk"), kind=EventMailKind.REMINDER)))
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    rows = [EventMail(guest_id=pk, kind=EventMailKind.REMINDER, due_at=now) for pk in guests]
    EventMail.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _still_relevant(row: EventMail) -> bool:
    guest = row.guest
    if not guest.person.email or not rsvp_open(guest.event):
        return False
    return not (row.kind == EventMailKind.REMINDER and guest.has_declined)


def _build(row: EventMail):
    guest = row.guest
    context = {
        "name": guest.person.first_name or guest.person,
        "event": guest.event,
        "guest": guest,
        "rsvp_url": rsvp_url(guest),
        **row.context,
    }
    return mail.build_message(template=f"dissemination/event_{row.kind}", to=guest.person.email, context=context)


def _queue(pk: int) -> None:
    from ..tasks import send_event_mail

    send_event_mail.delay(mail_id=pk)


EVENT_MAILS = Outbox(
    model=EventMail,
    name="event mail",
    message_id_prefix="dissemination-event",
    build=_build,
    queue=_queue,
    related=("guest__event__region", "guest__person"),
    still_relevant=_still_relevant,
)


def event_mail_send(*, mail_id: int) -> bool:
    """Claim and send one event mail. Returns True when a mail left."""
    return EVENT_MAILS.send(mail_id)


def event_mails_send_due(*, limit: int = 500) -> int:
    """Hand back rows a dead worker left in SENDING, then send what is due (Outbox.send_due)."""
    return EVENT_MAILS.send_due(limit=limit)


def event_mails_forget_person(*, person) -> int:
    """For an erased person: cancel their event mails still waiting (there is no address any more)
    and empty the send errors, which may quote the address. Sent mails stay as history. Returns the
    number cancelled."""
    rows = EventMail.objects.filter(guest__person=person)
    cancelled = rows.filter(status=MessageStatus.PENDING).update(status=MessageStatus.CANCELLED)
    rows.exclude(last_error="").update(last_error="")
    return cancelled


def register_failed_mail() -> None:
    """Show failed event mails on the page of mail events, with "send again"."""
    from django.db.models import F

    from ..queries.newsletters_mail_events import register_outbox

    register_outbox(
        EVENT_MAILS, key="dissemination.event_mail", email=F("guest__person__email"), labels=dict(EventMailKind.choices)
    )
