"""Scheduling training runs: creating a run with its proposed meetings, changing meetings, cancelling
them, and moving runs along their statuses as time passes. Trainers are assigned through
ambassadors.services.assignments, where their certification and calendar are checked.

Conflicts are checked per meeting by the functions in MEETING_CONFLICT_CHECKS and per run by
`_run_errors`. The ambassadors app appends its trainer check there (double booking, certification).
"""

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..enums import (
    ACTIVE_STATUSES,
    PUBLIC_STATUSES,
    MeetingStatus,
    MessageKind,
    MessageStatus,
    TrainingStatus,
)
from ..models import Enrolment, Location, Meeting, ScheduledMessage, Training
from .enrolment import places_held, waitlist_offer_next
from .messages import (
    message_schedule,
    reminders_cancel,
    reminders_schedule_for_meeting,
)

# Runs whose people are told about changes; a draft has nobody to tell yet, a finished run nobody
# who still needs to know.
NOTIFY_STATUSES = PUBLIC_STATUSES

MeetingErrors = dict[str, list[str]]


class MeetingsInvalid(ValidationError):
    """Refused changes to several meetings at once. `errors[i]` holds {field: [messages]} for the
    i-th meeting given (empty when that meeting is fine); `others` holds the errors of the run's
    meetings that were not given, by pk (a clash they already had)."""

    def __init__(self, errors: list[MeetingErrors], others: dict[int, MeetingErrors] | None = None):
        self.errors = errors
        self.others = others or {}
        found = [*errors, *self.others.values()]
        super().__init__([message for item in found for messages in item.values() for message in messages])


# --- conflict checks --------------------------------------------------------------------------


def location_conflict(meeting: Meeting) -> MeetingErrors:
    """The location is booked by a scheduled meeting of another (not cancelled) run at the same time."""
    clash = (
        Meeting.objects.filter(
            location_id=meeting.location_id,
            starts_at__lt=meeting.ends_at,
            ends_at__gt=meeting.starts_at,
            status=MeetingStatus.SCHEDULED,
        )
        .exclude(training__status=TrainingStatus.CANCELLED)
        .exclude(training_id=meeting.training_id)
        .select_related("training")
        .first()
    )
    if clash is None:
        return {}
    return {
        "location": [
            _("%(location)s is already booked at this time for %(training)s (meeting %(number)s).")
            % {"location": meeting.location, "training": clash.training, "number": clash.number}
        ]
    }


# Each check takes a meeting (unsaved values, training set) and returns {field: [messages]}.
# Meetings of the same run are compared with each other by _run_errors, not here.
# ambassadors.services.assignments appends the trainer check (double booking, certification).
MEETING_CONFLICT_CHECKS: list[Callable[[Meeting], MeetingErrors]] = [location_conflict]


def _merge(into: MeetingErrors, found: MeetingErrors) -> None:
    for field, messages in found.items():
        into.setdefault(field, []).extend(messages)


def _run_errors(meetings: list[Meeting], *, changed: int | None = None) -> list[MeetingErrors]:
    """Errors per meeting of one run (same order as given): times, numbers, order and overlap
    within the run, then every conflict check for each scheduled meeting.

    When only the first `changed` meetings are being changed, an order or overlap error of a pair
    lands on the changed meeting of the pair (normally on the later one), so it is shown where it
    can be put right."""
    changed = len(meetings) if changed is None else changed
    errors: list[MeetingErrors] = [{} for _meeting in meetings]
    numbers = Counter(meeting.number for meeting in meetings)
    for index, meeting in enumerate(meetings):
        if meeting.ends_at <= meeting.starts_at:
            errors[index].setdefault("ends_at", []).append(_("The meeting must end after it starts."))
        if numbers[meeting.number] > 1:
            errors[index].setdefault("number", []).append(_("Two meetings have this number."))
    scheduled = sorted(
        (index for index, meeting in enumerate(meetings) if meeting.status != MeetingStatus.CANCELLED),
        key=lambda index: meetings[index].number,
    )
    for previous, current in zip(scheduled, scheduled[1:], strict=False):
        before, meeting = meetings[previous], meetings[current]
        if meeting.number == before.number:
            continue
        on_earlier = current >= changed and previous < changed
        if meeting.starts_at < before.starts_at:
            if on_earlier:
                message = _(
                    "Meeting %(number)s must come before meeting %(next)s: number the meetings in time order."
                ) % {"number": before.number, "next": meeting.number}
            else:
                message = _(
                    "Meeting %(number)s must come after meeting %(previous)s: number the meetings in time order."
                ) % {"number": meeting.number, "previous": before.number}
        elif meeting.starts_at < before.ends_at:
            other = meeting if on_earlier else before
            message = _("This meeting overlaps meeting %(previous)s of this run.") % {"previous": other.number}
        else:
            continue
        errors[previous if on_earlier else current].setdefault("starts_at", []).append(message)
    for index in scheduled:
        if "ends_at" in errors[index]:
            continue
        for check in MEETING_CONFLICT_CHECKS:
            _merge(errors[index], check(meetings[index]))
    return errors


def _lock_locations(location_ids) -> set[int]:
    """Lock the locations (in pk order, so two requests never wait for each other in a circle):
    whoever checks a location for clashes and books it holds it until commit, so two requests at
    the same moment cannot both find it free (nor archive or delete it meanwhile). Returns the ids
    of the archived ones among them."""
    ids = sorted({pk for pk in location_ids if pk is not None})
    rows = Location.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", "archived_at")
    return {pk for pk, archived_at in rows if archived_at is not None}


def _archived_location_error() -> MeetingErrors:
    return {"location": [_("This location is archived: choose another one.")]}


# --- creating and changing a run --------------------------------------------------------------


def proposed_meetings(*, training: Training, first_starts_at, first_ends_at, location: Location) -> list[Meeting]:
    """settings.TRAINING_DEFAULT_MEETINGS weekly meetings at one place (unsaved)."""
    return [
        Meeting(
            training=training,
            number=number,
            starts_at=first_starts_at + timedelta(weeks=number - 1),
            ends_at=first_ends_at + timedelta(weeks=number - 1),
            location=location,
        )
        for number in range(1, settings.TRAINING_DEFAULT_MEETINGS + 1)
    ]


@transaction.atomic
def training_create(
    *,
    title: str,
    region,
    first_meeting_starts_at,
    first_meeting_ends_at,
    location: Location,
    variant: str = "standard",
    host_organisation=None,
    capacity: int = 15,
    local_adaptations: str = "",
) -> Training:
    """A draft run with settings.TRAINING_DEFAULT_MEETINGS weekly meetings at `location`, for staff
    to adjust. Refused (ValidationError on first_meeting_ends_at or location) when the first
    meeting ends before it starts, the location is archived or booked at one of the proposed times.
    No mail: a draft has no participants."""
    if first_meeting_ends_at <= first_meeting_starts_at:
        raise ValidationError({"first_meeting_ends_at": _("The meeting must end after it starts.")})
    if _lock_locations([location.pk]):
        raise ValidationError(_archived_location_error())
    training = Training(
        title=title,
        variant=variant,
        region=region,
        host_organisation=host_organisation,
        capacity=capacity,
        local_adaptations=local_adaptations,
        status=TrainingStatus.DRAFT,
    )
    training.full_clean()
    training.save()
    meetings = proposed_meetings(
        training=training,
        first_starts_at=first_meeting_starts_at,
        first_ends_at=first_meeting_ends_at,
        location=location,
    )
    for found in _run_errors(meetings):
        if found:
            # One message per field is enough here: the first clash says what to change.
            raise ValidationError({field: messages[0] for field, messages in found.items()})
    Meeting.objects.bulk_create(meetings)
    return training


def refuse_reopening_clashes(training: Training) -> None:
    """Check the meetings of a cancelled run being opened again as meetings_update would: lock
    its locations (the trainer check locks its trainers), run every conflict check, and raise a
    ValidationError on "status" naming each clash. Meanwhile other runs may have taken the
    places and people this run had freed."""
    meetings = list(training.meetings.select_related("location").order_by("number"))
    _lock_locations(meeting.location_id for meeting in meetings)
    clashes = []
    for meeting, found in zip(meetings, _run_errors(meetings), strict=True):
        for messages in found.values():
            clashes.extend(
                _("Meeting %(number)s: %(problem)s") % {"number": meeting.number, "problem": message}
                for message in messages
            )
    if clashes:
        raise ValidationError({"status": [_("This run cannot be opened again: a meeting clashes."), *clashes]})


@transaction.atomic
def training_update(*, training: Training, **fields) -> Training:
    """Change a run's own fields (title, variant, region, host_organisation, capacity, status,
    local_adaptations). Refused when the capacity falls below the places already held, and (on
    "status") when a cancelled run is opened again while one of its scheduled meetings clashes:
    its location or one of its trainers is booked by another run at that time, or a trainer's
    certification no longer covers the date (the same checks and locks as meetings_update); opened
    again, its cancellation notices still waiting are withdrawn. A run is
    cancelled only by services.cancellation.training_cancel (which tells everyone, with an undo), so
    setting the status to cancelled is refused here. Free places (a higher capacity) are offered to
    those waiting."""
    training = Training.objects.select_for_update().get(pk=training.pk)
    was_cancelled = training.status == TrainingStatus.CANCELLED
    if fields.get("status") == TrainingStatus.CANCELLED and not was_cancelled:
        raise ValidationError({"status": _("Cancel a run with the button on its page, which shows who will be told.")})
    for name, value in fields.items():
        setattr(training, name, value)
    training.full_clean()
    held = places_held(training)
    if training.capacity < held:
        raise ValidationError(
            {
                "capacity": _("%(held)s places are already held: the capacity cannot be lower than that.")
                % {"held": held}
            }
        )
    reopened = was_cancelled and training.status != TrainingStatus.CANCELLED
    if reopened:
        refuse_reopening_clashes(training)
    training.save()
    if reopened:
        # Notices of its cancellation that have not gone out yet stay unsent (the enrolments stay cancelled).
        ScheduledMessage.objects.filter(
            run_message__training=training, kind=MessageKind.TRAINING_CANCELLED, status=MessageStatus.PENDING
        ).update(status=MessageStatus.CANCELLED)
    # More places, or a run opened again: those waiting get the free places, and FULL/OPEN follows.
    waitlist_offer_next(training=training)
    training.refresh_from_db()
    return training


# --- meetings ---------------------------------------------------------------------------------


def _when(value) -> str:
    """A moment kept in a mail row's context: ISO, so the mail shows it in its recipient's language."""
    return timezone.localtime(value).isoformat()


def _tell_everyone(*, meeting: Meeting, kind: str, context: dict | None = None) -> None:
    """Mail the run's active participants and its trainers about one meeting."""
    training = meeting.training
    for enrolment in Enrolment.objects.filter(training=training, status__in=ACTIVE_STATUSES):
        message_schedule(kind=kind, enrolment=enrolment, meeting=meeting, context=context)
    for user in training.trainers.all():
        message_schedule(kind=kind, user=user, meeting=meeting, context=context)


@transaction.atomic
def meetings_update(*, training: Training, meetings: list[Meeting]) -> list[Meeting]:
    """Save changed and added meetings of one run (unsaved instances carrying the new values; new
    ones without pk). All are validated together with the run's other meetings first; nothing is
    saved when one is refused (MeetingsInvalid, errors per meeting given).

    Refused too when a meeting not given now clashes (with a given one, or still with another run):
    a clash between a given and an unchanged meeting is reported on the given one, other errors
    of unchanged meetings in MeetingsInvalid.others. A new meeting, or one moved to another
    location, is refused at an archived location. The locations concerned are locked first.

    Side effects: a moved meeting (time or location) gets a higher calendar sequence and its
    reminders move with it; for a run that is open, full or running the active participants and
    trainers get a MEETING_MOVED mail with the old time and place. Added meetings get reminders;
    the after-evaluation requests follow the last meeting."""
    training = Training.objects.select_for_update().get(pk=training.pk)
    before = {meeting.pk: meeting for meeting in training.meetings.select_related("location")}
    for meeting in meetings:
        meeting.training = training
    given = {meeting.pk for meeting in meetings if meeting.pk}
    others = [meeting for pk, meeting in before.items() if pk not in given]
    archived = _lock_locations(meeting.location_id for meeting in meetings + others)
    errors = _run_errors(meetings + others, changed=len(meetings))
    # A new meeting, or one moved to another location, never goes to an archived location; a
    # meeting that was there already stays.
    for meeting, found in zip(meetings, errors, strict=False):
        old = before.get(meeting.pk)
        if meeting.location_id in archived and (old is None or old.location_id != meeting.location_id):
            _merge(found, _archived_location_error())
    if any(errors):
        others_errors = {
            meeting.pk: found for meeting, found in zip(others, errors[len(meetings) :], strict=True) if found
        }
        raise MeetingsInvalid(errors[: len(meetings)], others_errors)
    # Two meetings may swap numbers: free the numbers first so the unique constraint holds.
    changed_numbers = [m for m in meetings if m.pk and before[m.pk].number != m.number]
    for offset, meeting in enumerate(changed_numbers, start=1):
        Meeting.objects.filter(pk=meeting.pk).update(number=1000 + offset)
    for meeting in meetings:
        old = before.get(meeting.pk)
        moved = old is not None and (old.starts_at, old.ends_at, old.location_id) != (
            meeting.starts_at,
            meeting.ends_at,
            meeting.location_id,
        )
        if old is not None:
            # Calendars replace an event they already have only when its sequence went up.
            meeting.sequence = old.sequence + 1 if moved else old.sequence
        meeting.save()
        if old is None:
            reminders_schedule_for_meeting(meeting=meeting)
            continue
        if not moved or meeting.status == MeetingStatus.CANCELLED:
            continue
        reminders_schedule_for_meeting(meeting=meeting, moved=True)
        if training.status in NOTIFY_STATUSES:
            _tell_everyone(
                meeting=meeting,
                kind=MessageKind.MEETING_MOVED,
                context={
                    "old_starts_at": _when(old.starts_at),
                    "old_ends_at": _when(old.ends_at),
                    "old_location": str(old.location),
                },
            )
    return meetings


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    """Cancel one meeting: its calendar sequence goes up, its waiting reminders are cancelled, the
    after-evaluation requests follow the last meeting left and, for a run that is open, full or
    running, the active participants and trainers get a MEETING_CANCELLED mail (with the calendar).
    Cancelling a cancelled meeting does nothing."""
    meeting = Meeting.objects.select_for_update().select_related("training").get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1  # calendars replace the event with the cancelled one
    meeting.save(update_fields=["status", "sequence"])
    reminders_cancel(meeting=meeting)
    # No reminders for a cancelled meeting; the after-evaluation requests follow the last one left.
    reminders_schedule_for_meeting(meeting=meeting)
    if meeting.training.status in NOTIFY_STATUSES:
        _tell_everyone(meeting=meeting, kind=MessageKind.MEETING_CANCELLED)
    return meeting


@transaction.atomic
def meeting_remove(*, meeting: Meeting) -> None:
    """Delete a meeting of a draft run (nobody has been told about it). Other runs cancel instead."""
    if meeting.training.status != TrainingStatus.DRAFT:
        raise ValidationError(_("Only meetings of a draft run can be removed; cancel this meeting instead."))
    meeting.delete()


# --- statuses over time -----------------------------------------------------------------------


def trainings_advance_statuses(*, now=None) -> int:
    """Open and full runs whose first meeting has started become running; running runs whose last
    meeting has ended become completed. Cancelled meetings do not count. Safe to run again.
    Returns the number of runs changed."""
    now = now or timezone.now()
    scheduled = Q(meetings__status=MeetingStatus.SCHEDULED)
    started = (
        Training.objects.filter(status__in=[TrainingStatus.OPEN, TrainingStatus.FULL])
        .annotate(first_start=Min("meetings__starts_at", filter=scheduled))
        .filter(first_start__lte=now)
        .values("pk")
    )
    changed = Training.objects.filter(pk__in=started).update(status=TrainingStatus.RUNNING)
    ended = (
        Training.objects.filter(status=TrainingStatus.RUNNING)
        .annotate(last_end=Max("meetings__ends_at", filter=scheduled))
        .filter(last_end__lte=now)
        .values("pk")
    )
    changed += Training.objects.filter(pk__in=ended).update(status=TrainingStatus.COMPLETED)
    return changed
