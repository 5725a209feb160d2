"""Trainer assignments: who gives a run, in which role, and the offers trainers make to give one.

The rules of an assignment (checked by `assignment_add`, and again by the meeting check that
trainings runs whenever a meeting is scheduled or moved):
- a lead holds a trainer or master-trainer certification valid on every scheduled meeting date of
  the run, a co-trainer at least a co-trainer one (consecutive certifications together may cover
  a run); a candidate (supervised practice) needs none but joins a run that has a lead;
- a trainer is never in two meetings at the same time (meetings of cancelled runs, and cancelled
  meetings, do not count).
Staff may record history (`as_history`): a trainer who gave meetings that have taken place, also of
a completed run. The certification is then not asked for those meetings, only for the ones ahead
(eligibility.needs_certification); the rest holds. The assignment keeps the flag and who recorded it.

Locks are taken in the order run, then trainers (as trainings' meetings_update does: run,
locations, then the trainers through the meeting check), so two requests never wait in a circle.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mentorwijs.accounts.models import User
from trainings.enums import AssignmentRole, MeetingStatus, TrainingStatus
from trainings.models import Assignment, Meeting, Training
from trainings.services import scheduling
from trainings.services.messages import reminders_cancel, reminders_schedule_for_trainer

from ..enums import OfferStatus
from ..models import AssignmentOffer
from ..queries import granted_certifications
from .eligibility import (
    CLOSED_STATUSES,
    HISTORY_CLOSED_STATUSES,
    OFFERABLE_STATUSES,
    ROLE_MINIMUM_LEVEL,
    days_not_covered,
    may_give_runs,
    may_record_history,
    needs_certification,
)

logger = logging.getLogger(__name__)


def _day(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _days(days) -> str:
    return ", ".join(_day(day) for day in days)


def _lock_trainers(user_ids) -> None:
    """Lock the users' rows (in pk order): whoever checks a trainer's calendar and books it holds
    them until commit, so two bookings of the same trainer at the same moment cannot both pass."""
    ids = sorted({pk for pk in user_ids if pk is not None})
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _other_runs_meetings(trainer_ids, *, exclude_training_id):
    """Scheduled meetings of other, not cancelled runs that these trainers give."""
    return (
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED, training__assignments__trainer_id__in=list(trainer_ids))
        .exclude(training__status=TrainingStatus.CANCELLED)
        .exclude(training_id=exclude_training_id)
    )


def uncovered_days(*, trainer, role: str, days, certifications=None) -> list:
    """The days on which `trainer` holds no certification good enough for `role` (sorted)."""
    if certifications is None:
        certifications = granted_certifications([trainer.pk]).get(trainer.pk, [])
    return days_not_covered(certifications, days, ROLE_MINIMUM_LEVEL[role])


def meeting_days(meetings) -> list:
    """The local dates of the scheduled meetings among these."""
    return sorted(
        {timezone.localdate(meeting.starts_at) for meeting in meetings if meeting.status == MeetingStatus.SCHEDULED}
    )


def _double_booking(*, training: Training, trainer, meetings) -> Meeting | None:
    """A scheduled meeting of another run the trainer gives that overlaps one of `meetings`."""
    overlap = Q()
    for meeting in meetings:
        overlap |= Q(starts_at__lt=meeting.ends_at, ends_at__gt=meeting.starts_at)
    if not meetings:
        return None
    return (
        _other_runs_meetings([trainer.pk], exclude_training_id=training.pk)
        .filter(overlap)
        .select_related("training")
        .order_by("starts_at")
        .first()
    )


def _refusal(*, training: Training, trainer, role: str, as_history: bool = False) -> ValidationError | None:
    """Why `trainer` cannot give `training` as `role`, or None. Reads only (the caller locks)."""
    if as_history and training.status in HISTORY_CLOSED_STATUSES:
        return ValidationError({"training": _("This run is cancelled: there is no history to record.")})
    if not as_history and training.status in CLOSED_STATUSES:
        return ValidationError(
            {"training": _("This run is cancelled or completed: no trainer can be added to it any more.")}
        )
    if not may_give_runs(trainer):
        return ValidationError(
            {"trainer": _("%(trainer)s holds neither the trainer nor the master-trainer role.") % {"trainer": trainer}}
        )
    team = {assignment.trainer_id: assignment.role for assignment in training.assignments.all()}
    if trainer.pk in team:
        return ValidationError({"trainer": _("%(trainer)s already gives this run.") % {"trainer": trainer}})
    if role == AssignmentRole.LEAD and AssignmentRole.LEAD in team.values():
        return ValidationError({"role": _("This run already has a lead trainer.")})
    if role == AssignmentRole.CANDIDATE and AssignmentRole.LEAD not in team.values():
        return ValidationError(
            {"role": _("A candidate practises under a lead trainer: assign the lead trainer first.")}
        )
    meetings = list(training.meetings.filter(status=MeetingStatus.SCHEDULED).order_by("starts_at"))
    now = timezone.now()
    if as_history and not any(meeting.starts_at <= now for meeting in meetings):
        return ValidationError(
            {"as_history": _("No meeting of this run has taken place yet: there is no history to record.")}
        )
    checked = [meeting for meeting in meetings if needs_certification(meeting, as_history=as_history, now=now)]
    missing = uncovered_days(trainer=trainer, role=role, days=meeting_days(checked))
    if missing:
        if role == AssignmentRole.LEAD:
            message = _("%(trainer)s holds no valid trainer certification on %(days)s.")
        else:
            message = _("%(trainer)s holds no valid co-trainer certification on %(days)s.")
        return ValidationError({"role": message % {"trainer": trainer, "days": _days(missing)}})
    clash = _double_booking(training=training, trainer=trainer, meetings=meetings)
    if clash is not None:
        return ValidationError(
            {
                "trainer": _("%(trainer)s already gives %(training)s at that time (meeting %(number)s on %(day)s).")
                % {
                    "trainer": trainer,
                    "training": clash.training,
                    "number": clash.number,
                    "day": _day(timezone.localdate(clash.starts_at)),
                }
            }
        )
    return None


@transaction.atomic
def assignment_add(*, training: Training, trainer, role: str, assigned_by, as_history: bool = False) -> Assignment:
    """Let `trainer` give `training` as `role` (AssignmentRole).

    `as_history`: staff (`assigned_by`) record that the trainer gave meetings that have taken place.
    The certification is then asked only for the meetings not yet begun, and a completed run takes
    the assignment too. Refused (on "as_history") for anyone but staff and for a run none of whose
    meetings has begun, (on "training") for a cancelled run. The assignment keeps `as_history`.

    Refused (ValidationError on "training") for a cancelled or completed run; (on "trainer" or
    "role") when the user holds neither the trainer nor the master-trainer role or already gives
    the run; when the run already has a lead (for a lead); when a lead holds no
    trainer or master-trainer certification, or a co-trainer no certification at all, valid on every
    scheduled meeting date (the dates are named); when a candidate joins a run without a lead; or
    when one of the run's meetings overlaps a meeting of another run the trainer gives.

    Side effects: locks the run, then the trainer's user row; stores the Assignment and schedules
    the trainer's meeting reminders."""
    if as_history and not may_record_history(assigned_by):
        raise ValidationError({"as_history": _("Only staff record history.")})
    training = Training.objects.select_for_update().get(pk=training.pk)
    _lock_trainers([trainer.pk])
    refusal = _refusal(training=training, trainer=trainer, role=role, as_history=as_history)
    if refusal is not None:
        raise refusal
    assignment = Assignment.objects.create(
        training=training, trainer=trainer, role=role, assigned_by=assigned_by, as_history=as_history
    )
    reminders_schedule_for_trainer(training=training, user=trainer)
    return assignment


@transaction.atomic
def assignment_remove(*, assignment: Assignment, removed_by) -> None:
    """Take a trainer off a run. Refused (ValidationError on "trainer") for the lead while a
    candidate still practises under them. Side effects: deletes the Assignment and cancels the
    trainer's waiting reminders for the run's meetings."""
    training = Training.objects.select_for_update().get(pk=assignment.training_id)
    assignment = Assignment.objects.select_related("trainer").get(pk=assignment.pk)
    team = list(training.assignments.exclude(pk=assignment.pk).values_list("role", flat=True))
    if assignment.role == AssignmentRole.LEAD and AssignmentRole.CANDIDATE in team and AssignmentRole.LEAD not in team:
        raise ValidationError(
            {"trainer": _("A candidate still practises under this lead trainer: take the candidate off first.")}
        )
    assignment.delete()
    reminders_cancel(user=assignment.trainer, training=training)
    logger.info("trainer %s taken off run %s by %s", assignment.trainer_id, training.pk, removed_by)


# --- the meeting check ------------------------------------------------------------------------


def trainer_conflict(meeting: Meeting) -> dict[str, list[str]]:
    """For a meeting being scheduled or moved: one of the run's trainers is in a meeting of another
    run at that time, or holds no certification for their role on the meeting's date (not asked
    for a meeting that has begun of a trainer staff recorded as history). Reports on
    "starts_at". Locks the run's trainers, so an assignment at the same moment waits."""
    if meeting.training_id is None:
        return {}
    team = list(Assignment.objects.filter(training_id=meeting.training_id).select_related("trainer"))
    if not team:
        return {}
    _lock_trainers(assignment.trainer_id for assignment in team)
    names = {assignment.trainer_id: assignment.trainer for assignment in team}
    messages = []
    clashes = (
        _other_runs_meetings(names, exclude_training_id=meeting.training_id)
        .filter(starts_at__lt=meeting.ends_at, ends_at__gt=meeting.starts_at)
        .order_by("starts_at", "pk")
        .values_list("training__assignments__trainer_id", "training__title", "number")
    )
    seen = set()
    for trainer_id, title, number in clashes:
        if trainer_id in names and trainer_id not in seen:
            seen.add(trainer_id)
            messages.append(
                _("%(trainer)s already gives %(training)s at this time (meeting %(number)s).")
                % {"trainer": names[trainer_id], "training": title, "number": number}
            )
    day = timezone.localdate(meeting.starts_at)
    certifications = granted_certifications(names)
    now = timezone.now()
    for assignment in team:
        if not needs_certification(meeting, as_history=assignment.as_history, now=now):
            continue
        held = certifications.get(assignment.trainer_id, [])
        if days_not_covered(held, [day], ROLE_MINIMUM_LEVEL[assignment.role]):
            messages.append(
                _("%(trainer)s (%(role)s) holds no valid certification for this role on %(day)s.")
                % {"trainer": assignment.trainer, "role": assignment.get_role_display(), "day": _day(day)}
            )
    return {"starts_at": messages} if messages else {}


def register_meeting_checks() -> None:
    """Add the trainer checks to trainings' MEETING_CONFLICT_CHECKS (once)."""
    if trainer_conflict not in scheduling.MEETING_CONFLICT_CHECKS:
        scheduling.MEETING_CONFLICT_CHECKS.append(trainer_conflict)


# --- offers -----------------------------------------------------------------------------------


def first_meeting_at(training: Training):
    return (
        training.meetings.filter(status=MeetingStatus.SCHEDULED)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )


def _refuse_unless_offerable(training: Training) -> None:
    """Raise (on "training") unless the run still takes offers: a draft, open or full run whose
    first scheduled meeting lies ahead. The caller holds the run's lock."""
    starts = first_meeting_at(training)
    if training.status not in OFFERABLE_STATUSES or starts is None or starts <= timezone.now():
        raise ValidationError({"training": _("This run does not take offers: it has begun or is not planned.")})


@transaction.atomic
def offer_create(*, training: Training, trainer, role: str, note: str = "") -> AssignmentOffer:
    """A trainer offers to give a run that still needs a trainer: a draft, open or full run whose
    first scheduled meeting lies ahead, and for a lead offer one without a lead yet.

    Refused (ValidationError on "trainer", "role" or "training") for a user with neither the
    trainer nor the master-trainer role, someone who already gives the run or has an offer for it
    waiting, or a run that needs no trainer (any more). No mail: staff see the offer on the run's assignments page."""
    training = Training.objects.select_for_update().get(pk=training.pk)
    if not may_give_runs(trainer):
        raise ValidationError({"trainer": _("Only trainers can offer to give a run.")})
    _refuse_unless_offerable(training)
    if training.assignments.filter(trainer=trainer).exists():
        raise ValidationError({"trainer": _("You already give this run.")})
    if AssignmentOffer.objects.filter(training=training, trainer=trainer, status=OfferStatus.OPEN).exists():
        raise ValidationError({"training": _("You already offered to give this run; staff will decide.")})
    if role == AssignmentRole.LEAD and training.assignments.filter(role=AssignmentRole.LEAD).exists():
        raise ValidationError({"role": _("This run already has a lead trainer.")})
    return AssignmentOffer.objects.create(training=training, trainer=trainer, role=role, note=note)


def _lock_open_offer(offer: AssignmentOffer) -> AssignmentOffer:
    offer = AssignmentOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != OfferStatus.OPEN:
        raise ValidationError({"offer": _("This offer was already decided or withdrawn.")})
    return offer


@transaction.atomic
def offer_accept(*, offer: AssignmentOffer, decided_by) -> Assignment:
    """Staff accept an offer: the trainer is assigned through `assignment_add` (same rules, same
    side effects). When that refuses, the ValidationError is raised and the offer stays open.
    Refused (on "offer") for an offer no longer open, (on "training") when the run no longer takes
    offers (it has begun, or is no longer a draft, open or full run).

    Locks the run first (then the offer, then the trainer), so the run cannot start, close or be
    cancelled between the check and the assignment."""
    training = Training.objects.select_for_update().get(pk=offer.training_id)
    offer = _lock_open_offer(offer)
    _refuse_unless_offerable(training)
    assignment = assignment_add(training=offer.training, trainer=offer.trainer, role=offer.role, assigned_by=decided_by)
    offer.status = OfferStatus.ACCEPTED
    offer.decided_by = decided_by
    offer.decided_at = timezone.now()
    offer.save(update_fields=["status", "decided_by", "decided_at"])
    return assignment


@transaction.atomic
def offer_decline(*, offer: AssignmentOffer, decided_by, reason: str) -> AssignmentOffer:
    """Staff decline an offer with a reason the trainer sees. Refused (on "reason") without a
    reason, (on "offer") for an offer no longer open."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the trainer why.")})
    offer = _lock_open_offer(offer)
    offer.status = OfferStatus.DECLINED
    offer.decided_by = decided_by
    offer.decided_at = timezone.now()
    offer.decision_note = reason
    offer.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return offer


@transaction.atomic
def offer_withdraw(*, offer: AssignmentOffer, trainer) -> AssignmentOffer:
    """The trainer takes back their own open offer. Refused (on "offer") for someone else's offer
    or one no longer open."""
    if offer.trainer_id != trainer.pk:
        raise ValidationError({"offer": _("This is not your offer.")})
    offer = _lock_open_offer(offer)
    offer.status = OfferStatus.WITHDRAWN
    offer.decided_at = timezone.now()
    offer.save(update_fields=["status", "decided_at"])
    return offer
