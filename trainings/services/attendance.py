"""Attendance per meeting, catching up a missed meeting in another run, and completion.

A participant completes the training when present at enough distinct meetings of their own run:
present at the meeting itself, or present at a meeting of another run of the same variant that
catches it up. The number needed per variant is its CompletionRule (trainings.services.completion),
which staff change on a page."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..enums import ACTIVE_STATUSES, EnrolmentStatus, MeetingStatus, TrainingStatus
from ..models import Attendance, Enrolment, Meeting, Training
from .certificates import certificate_issue
from .completion import meetings_required

# Attendance may be registered from a day before a meeting starts (a trainer preparing the list).
RECORD_AHEAD = timedelta(days=1)


def completion_threshold(training: Training) -> int:
    """Meetings of the own run someone must attend (or catch up) to complete it: the rule of the
    variant, but never more than the meetings the run still holds (staff may cancel one)."""
    wanted = meetings_required(training.variant)
    held = training.meetings.filter(status=MeetingStatus.SCHEDULED).count()
    return max(1, min(wanted, held))


def attended_counts(enrolment_ids) -> dict[int, int]:
    """Per enrolment: the number of distinct meetings of its own run attended or caught up.
    Two queries whatever the number of enrolments."""
    attended: dict[int, set[int]] = {pk: set() for pk in enrolment_ids}
    rows = Attendance.objects.filter(enrolment_id__in=attended.keys(), present=True).values_list(
        "enrolment_id", "enrolment__training_id", "meeting_id", "meeting__training_id", "catches_up_id"
    )
    for enrolment_id, own_training_id, meeting_id, meeting_training_id, catches_up_id in rows:
        if catches_up_id is not None:
            attended[enrolment_id].add(catches_up_id)
        elif meeting_training_id == own_training_id:
            attended[enrolment_id].add(meeting_id)
    return {pk: len(meetings) for pk, meetings in attended.items()}


def attendance_opens_at(meeting: Meeting):
    """From when attendance can be registered for this meeting: RECORD_AHEAD before it begins."""
    return meeting.starts_at - RECORD_AHEAD


def attendance_refusal(meeting: Meeting, now=None):
    """Why attendance cannot be registered for this meeting now (a message), or None when it can:
    refused for a cancelled meeting and for one that has not begun and is more than RECORD_AHEAD
    away (the message says from when it can). The one rule: the services check it, pages show the
    attendance link and the sheet by it (attendance_open)."""
    if meeting.is_cancelled:
        return _("This meeting was cancelled: there is no attendance to register.")
    opens_at = attendance_opens_at(meeting)
    if opens_at > (now or timezone.now()):
        return _(
            "This meeting has not begun yet. Attendance can be registered from %(opens)s, a day before it begins."
        ) % {"opens": formats.date_format(timezone.localtime(opens_at), "DATETIME_FORMAT")}
    return None


def attendance_open(meeting: Meeting, now=None) -> bool:
    """Whether attendance can be registered for this meeting now."""
    return attendance_refusal(meeting, now) is None


def _check_meeting_open(meeting: Meeting) -> None:
    refusal = attendance_refusal(meeting)
    if refusal is not None:
        raise ValidationError(refusal)


def attendance_record(*, meeting: Meeting, entries, by) -> list[Attendance]:
    """Register presence at one meeting for several participants at once.

    `entries` is a list of (enrolment, present, absence_reason). Each (enrolment, meeting) has one
    row: an existing row is updated. A participant of another run may only be registered here when
    they already have a catch-up row at this meeting (see attendance_catch_up); that row keeps
    what it catches up.

    All or nothing: one refused entry refuses the whole list. Refused: a cancelled meeting, a
    meeting more than a day ahead, a participant not taking part in this run, a reason with
    "present".

    Side effects: afterwards every affected participant who now has attended enough meetings
    completes the training (status COMPLETED, a certificate, a CERTIFICATE mail)."""
    _check_meeting_open(meeting)
    entries = list(entries)
    enrolment_ids = [enrolment.pk for enrolment, _present, _reason in entries]
    if len(set(enrolment_ids)) != len(enrolment_ids):
        raise ValidationError(_("Each participant can be registered only once per meeting."))
    with transaction.atomic():
        enrolments = Enrolment.objects.select_for_update().select_related("person").in_bulk(enrolment_ids)
        existing = {
            row.enrolment_id: row
            for row in Attendance.objects.select_for_update().filter(meeting=meeting, enrolment_id__in=enrolment_ids)
        }
        saved = []
        for given, present, reason in entries:
            enrolment = enrolments[given.pk]
            reason = (reason or "").strip()
            row = existing.get(enrolment.pk)
            guest = row is not None and row.catches_up_id is not None
            if enrolment.training_id != meeting.training_id and not guest:
                raise ValidationError(_("%(person)s does not take part in this run.") % {"person": enrolment.person})
            if not guest and enrolment.status not in ACTIVE_STATUSES:
                raise ValidationError(_("%(person)s no longer takes part in this run.") % {"person": enrolment.person})
            if present and reason:
                raise ValidationError(
                    {
                        "absence_reason": _("A reason is only for an absence (%(person)s).")
                        % {"person": enrolment.person}
                    }
                )
            if len(reason) > Attendance._meta.get_field("absence_reason").max_length:
                raise ValidationError({"absence_reason": _("The reason is too long.")})
            if row is None:
                row = Attendance(enrolment=enrolment, meeting=meeting)
            row.present = bool(present)
            row.absence_reason = "" if present else reason
            row.recorded_by = by
            row.save()
            saved.append(row)
        # In the same transaction: attendance is never saved without the completion it brings.
        enrolments_complete_if_due(enrolment_ids=enrolment_ids)
    return saved


def attendance_catch_up(*, enrolment: Enrolment, meeting: Meeting, by) -> Attendance:
    """Register that a participant catches up a missed meeting of their own run at `meeting`, a
    meeting with the same number in another run of the same variant.

    Refused: a meeting of the own run, another variant, a cancelled or far-ahead meeting, a
    participant no longer taking part, an own run without a meeting of that number, and a meeting
    the participant already attended (or already caught up elsewhere).

    Side effects: an Attendance row at `meeting` with present=True and catches_up set to the own
    meeting; then completion as in attendance_record."""
    _check_meeting_open(meeting)
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().select_related("training", "person").get(pk=enrolment.pk)
        training = meeting.training
        if enrolment.training_id == training.pk:
            raise ValidationError({"enrolment": _("This is a meeting of the participant's own run.")})
        if enrolment.training.variant != training.variant:
            raise ValidationError({"enrolment": _("A meeting can only be caught up in a run of the same variant.")})
        if enrolment.status not in ACTIVE_STATUSES or enrolment.training.status == TrainingStatus.CANCELLED:
            raise ValidationError({"enrolment": _("This participant no longer takes part in their run.")})
        own = enrolment.training.meetings.filter(number=meeting.number).first()
        if own is None:
            raise ValidationError({"enrolment": _("The participant's run has no meeting with this number.")})
        done = Attendance.objects.filter(enrolment=enrolment, present=True).filter(Q(meeting=own) | Q(catches_up=own))
        if done.exclude(meeting=meeting).exists():
            raise ValidationError(
                {
                    "enrolment": _("The participant already attended or caught up meeting %(number)s.")
                    % {"number": meeting.number}
                }
            )
        Attendance.objects.update_or_create(
            enrolment=enrolment,
            meeting=meeting,
            defaults={"present": True, "absence_reason": "", "catches_up": own, "recorded_by": by},
        )
        row = Attendance.objects.get(enrolment=enrolment, meeting=meeting)
        enrolment_complete_if_due(enrolment=enrolment)
    return row


def enrolments_complete_if_due(*, enrolment_ids) -> list[int]:
    """enrolment_complete_if_due for several enrolments; returns the ids that completed now."""
    counts = attended_counts(enrolment_ids)
    due = Enrolment.objects.filter(pk__in=counts.keys(), status=EnrolmentStatus.REGISTERED).select_related("training")
    completed, thresholds = [], {}
    for enrolment in due:
        if enrolment.training_id not in thresholds:
            thresholds[enrolment.training_id] = completion_threshold(enrolment.training)
        enough = counts[enrolment.pk] >= thresholds[enrolment.training_id]
        if enough and enrolment_complete_if_due(enrolment=enrolment):
            completed.append(enrolment.pk)
    return completed


def enrolment_complete_if_due(*, enrolment: Enrolment) -> bool:
    """Complete the training when the participant attended enough meetings of their own run.
    Idempotent: True only for the call that completed it.

    Side effects: status COMPLETED and completed_at; a Certificate (once) and one CERTIFICATE mail.
    Only a REGISTERED enrolment completes; completion is never undone here (a certificate given in
    error is revoked by staff)."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().select_related("training").get(pk=enrolment.pk)
        if enrolment.status != EnrolmentStatus.REGISTERED:
            return False
        if attended_counts([enrolment.pk])[enrolment.pk] < completion_threshold(enrolment.training):
            return False
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.completed_at = timezone.now()
        enrolment.save(update_fields=["status", "completed_at"])
        certificate_issue(enrolment=enrolment)
    return True
