"""Enrolment and the waiting list.

Every service that changes who holds a place locks the run's Training row first
(SELECT ... FOR UPDATE), so two requests at the same moment are handled one after the other:
a place is never given twice and a run never holds more than `capacity` places. Moving locks both
runs, the lower id first, so two moves in opposite directions cannot deadlock.

Places are held by REGISTERED, OFFERED and COMPLETED enrolments (PLACE_HOLDING_STATUSES): an
offer keeps the place free for the person offered until it is accepted or lapses.

Once a run has begun (its first scheduled meeting has started) only staff add someone to it, with a
reason (Enrolment.late_reason), into a free place: nobody is offered a place in a run under way, so
there is no waiting list to join. The meetings that had begun are theirs to catch up in another run
of the same variant (services.attendance.attendance_catch_up; queries.enrolment.late_catch_ups).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dissemination.models import Organisation
from dissemination.services.relations import PERSON_FILLABLE, organisation_find_or_add, person_find, person_find_or_add
from mentorwijs.policy.queries import policy_value

from ..enums import (
    ENROLLABLE_STATUSES,
    LIVE_STATUSES,
    PLACE_HOLDING_STATUSES,
    STAFF_ENROLLABLE_STATUSES,
    EnrolmentStatus,
    MessageKind,
    TrainingStatus,
)
from ..models import Enrolment, Training, new_token
from ..queries.enrolment import meetings_begun, public_organisations
from .messages import message_schedule, reminders_cancel, reminders_schedule_for_enrolment

NOT_ENROLLABLE = _("This training run does not take enrolments.")
ALREADY_STARTED = _("This training run has already started: it no longer takes enrolments.")
LATE_REASON_NEEDED = _("This run has begun: say why this person joins late.")
LATE_RUN_FULL = _("Every place in this run is taken: raise its capacity first to add someone late.")
ALREADY_ENROLLED = _("This person is already enrolled in this training run.")
LINK_NOT_VALID = _("This enrolment link is no longer valid. Ask whoever sent it to you for the new one.")

# The mail that is sent again when someone enrols on the public page while already enrolled.
RESEND_INTERVAL = timedelta(minutes=10)
CONFIRMATION_AGAIN = {
    EnrolmentStatus.REGISTERED: MessageKind.ENROLMENT_CONFIRMED,
    EnrolmentStatus.COMPLETED: MessageKind.ENROLMENT_CONFIRMED,
    EnrolmentStatus.WAITLISTED: MessageKind.WAITLIST_CONFIRMED,
    EnrolmentStatus.OFFERED: MessageKind.WAITLIST_OFFER,
}


def training_has_started(training: Training, now=None) -> bool:
    """Whether the run's first scheduled meeting has begun (cancelled meetings do not count)."""
    return meetings_begun(training_id=training.pk, now=now).exists()


def training_takes_enrolments(training: Training) -> bool:
    """Whether the run takes enrolments at all: open, or full (new ones go on the waiting list).
    The public path also asks training_has_started; staff may add someone late
    (training_takes_staff_enrolments)."""
    return training.status in ENROLLABLE_STATUSES


def training_takes_staff_enrolments(training: Training) -> bool:
    """Whether staff may add someone to the run: one that takes enrolments, or a running one (late,
    with a reason: enrolment_create)."""
    return training.status in STAFF_ENROLLABLE_STATUSES


def enrolment_cancellable(enrolment: Enrolment) -> bool:
    """Whether the participant (or staff) can still cancel it: registered, on the waiting list or
    offered a place (enrolment_cancel refuses the rest)."""
    return enrolment.status in LIVE_STATUSES


def offer_is_open(enrolment: Enrolment, now=None) -> bool:
    """Whether the enrolment holds an offer of a place that can still be accepted."""
    return (
        enrolment.status == EnrolmentStatus.OFFERED
        and enrolment.offer_expires_at is not None
        and enrolment.offer_expires_at > (now or timezone.now())
    )


def _lock_training(pk: int) -> Training:
    return Training.objects.select_for_update().get(pk=pk)


def _lock_enrolment(pk: int) -> Enrolment:
    return Enrolment.objects.select_for_update().get(pk=pk)


def places_held(training: Training) -> int:
    return training.enrolments.filter(status__in=PLACE_HOLDING_STATUSES).count()


def _waiting(training: Training):
    return training.enrolments.filter(status=EnrolmentStatus.WAITLISTED).order_by("waitlisted_at", "id")


def _update_status(training: Training) -> None:
    """FULL when every place is held; OPEN again when places are free and nobody waits."""
    if not training_takes_enrolments(training):
        return
    held = places_held(training)
    if held >= training.capacity:
        status = TrainingStatus.FULL
    elif not _waiting(training).exists():
        status = TrainingStatus.OPEN
    else:
        status = training.status
    if status != training.status:
        training.status = status
        training.save(update_fields=["status"])


def _offer_next(training: Training) -> list[Enrolment]:
    """Offer each free place to the next in line. The caller holds the lock on `training`."""
    if not training_takes_enrolments(training):
        return []
    free = training.capacity - places_held(training)
    if free <= 0:
        return []
    now = timezone.now()
    offer_hours = policy_value("waitlist_offer_hours")
    offered = []
    for enrolment in _waiting(training).select_for_update()[:free]:
        enrolment.status = EnrolmentStatus.OFFERED
        enrolment.offer_expires_at = now + timedelta(hours=offer_hours)
        enrolment.save(update_fields=["status", "offer_expires_at"])
        message_schedule(kind=MessageKind.WAITLIST_OFFER, enrolment=enrolment)
        offered.append(enrolment)
    return offered


def _link_key_matches(key: str, training: Training) -> bool:
    return secrets.compare_digest(key.encode(), training.enrolment_link_key.encode())


def pickable_organisations(*, host_id: int | None = None):
    """The organisations a public enrolment (no `enrolled_by`) may name as its employer: the public
    ones (queries.public_organisations) and, on a run's enrolment link, that run's host (`host_id`).
    The public form offers no other, and enrolment_create takes no other: posting ids must tell
    nothing about the rest of the directory. Staff enrolling someone name any organisation."""
    pickable = public_organisations()
    if host_id is not None:
        pickable = pickable | Organisation.objects.filter(pk=host_id)
    return pickable


def _check_organisation(*, organisation, new_organisation: dict | None) -> None:
    if organisation is None and (not new_organisation or not new_organisation.get("name")):
        raise ValidationError({"organisation_name": _("Choose your organisation or add it.")})


def _organisation_for(*, training: Training, organisation, new_organisation: dict | None, public: bool):
    """The organisation picked, else the one with this name in this city, else a new one in the
    run's region; a new one typed on a public page is marked as named by a participant, for staff to
    confirm or merge (dissemination.services.matching) before the public search shows it."""
    if organisation is not None:
        return organisation
    return organisation_find_or_add(
        name=new_organisation["name"],
        city=new_organisation.get("city") or "",
        target_group=new_organisation["target_group"],
        region=training.region,
        named_by_participant=public,
    )


def enrolment_create(
    *,
    training: Training,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    organisation: Organisation | None = None,
    new_organisation: dict | None = None,
    function: str = "",
    source: str = "",
    dietary_wishes: str = "",
    consent: bool = False,
    language: str = "nl",
    enrolled_by=None,
    link_key: str = "",
    late_reason: str = "",
) -> Enrolment:
    """Enrol a person in a run: REGISTERED when a place is free and nobody is waiting, else
    WAITLISTED (in order of waitlisted_at).

    Side effects: finds or creates the Person (same email, any case: one record) and, when
    `new_organisation` is given, the Organisation (in the run's region); sets the run FULL when
    this takes the last place; schedules the meeting reminders, the evaluation requests and
    ENROLMENT_CONFIRMED (with the .ics), or WAITLIST_CONFIRMED.

    Staff (`enrolled_by` set) may add someone to a run that has begun, also once it is running:
    late, which needs `late_reason` (stored on the enrolment) and a free place (refused on
    "late_reason" without a reason, and when every place is taken: no waiting list in a run under
    way); the confirmation and the reminders then cover the meetings still ahead, and the meetings
    that had begun are to be caught up. An existing Person gets its empty fields filled; a second
    enrolment of the same person is refused.

    The public path (`enrolled_by` None) must not tell a visitor who is enrolled, nor let them
    change someone's data: it needs consent to the privacy statement, refuses a run whose first
    meeting has begun, refuses a run that is not public (in-company, train-the-trainer) unless
    `link_key` is the run's current enrolment link key (checked under the run's lock, so a link
    renewed a moment ago no longer works), takes `organisation` only when it is one of
    pickable_organisations (the run's host counts on its link; any other counts as none, so
    `new_organisation` is needed), never changes an existing Person (nor creates an
    organisation for one),
    and answers an enrolment that exists already (not cancelled) by sending its confirmation
    again (ENROLMENT_CONFIRMED, WAITLIST_CONFIRMED or WAITLIST_OFFER; nothing for one who dropped
    out) and returning it unchanged.
    """
    public = enrolled_by is None
    late_reason = (late_reason or "").strip()
    if public and not consent:
        raise ValidationError({"consent": _("Please agree to the privacy statement.")})
    with transaction.atomic():
        training = _lock_training(training.pk)
        takes = training_takes_enrolments(training) if public else training_takes_staff_enrolments(training)
        if not takes:
            raise ValidationError(NOT_ENROLLABLE)
        late = training_has_started(training)
        if public and late:
            raise ValidationError(ALREADY_STARTED)
        if late and not late_reason:
            raise ValidationError({"late_reason": LATE_REASON_NEEDED})
        if late and places_held(training) >= training.capacity:
            raise ValidationError(LATE_RUN_FULL)
        if public and not training.is_public and not _link_key_matches(link_key, training):
            raise ValidationError(LINK_NOT_VALID)
        if public and organisation is not None:
            host_id = training.host_organisation_id if link_key else None
            if not pickable_organisations(host_id=host_id).filter(pk=organisation.pk).exists():
                organisation = None
        _check_organisation(organisation=organisation, new_organisation=new_organisation)
        if not public or person_find(email=email) is None:
            organisation = _organisation_for(
                training=training, organisation=organisation, new_organisation=new_organisation, public=public
            )
        # Anonymous input never changes an existing person; staff fill in what the person lacks.
        # added_by stays empty, as for every participant (the directory's own pages record it).
        person = person_find_or_add(
            email=email,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            organisation=organisation,
            function=function,
            fill_empty=() if public else PERSON_FILLABLE,
        )
        existing = training.enrolments.filter(person=person).exclude(status=EnrolmentStatus.CANCELLED).first()
        if existing is not None:
            if not public:
                raise ValidationError({"email": ALREADY_ENROLLED})
            kind = CONFIRMATION_AGAIN.get(existing.status)
            # At most one repeat per RESEND_INTERVAL: the form must not become a way to flood an inbox.
            recent = existing.messages.filter(kind=kind, created_at__gt=timezone.now() - RESEND_INTERVAL)
            if kind is not None and not recent.exists():
                message_schedule(kind=kind, enrolment=existing)
            return existing
        now = timezone.now()
        # Late: a free place was checked above, and nobody is offered a place in a run under way.
        has_place = late or (places_held(training) < training.capacity and not _waiting(training).exists())
        enrolment = Enrolment.objects.create(
            training=training,
            person=person,
            status=EnrolmentStatus.REGISTERED if has_place else EnrolmentStatus.WAITLISTED,
            waitlisted_at=None if has_place else now,
            source=source,
            dietary_wishes=dietary_wishes,
            privacy_version=settings.PRIVACY_STATEMENT_VERSION if consent else "",
            consented_at=now if consent else None,
            language=language,
            enrolled_by=enrolled_by,
            created_at=now,
            late_reason=late_reason if late else "",
        )
        _update_status(training)
        _confirm(enrolment)
    return enrolment


def _confirm(enrolment: Enrolment) -> None:
    if enrolment.status == EnrolmentStatus.REGISTERED:
        message_schedule(kind=MessageKind.ENROLMENT_CONFIRMED, enrolment=enrolment)
        reminders_schedule_for_enrolment(enrolment=enrolment)
    else:
        message_schedule(kind=MessageKind.WAITLIST_CONFIRMED, enrolment=enrolment)


def training_enrolment_link_renew(*, training: Training) -> Training:
    """A new enrolment link for the run (staff, when the old one reached the wrong people).
    Side effect: the old link opens nothing from now on; enrolments made through it stay."""
    with transaction.atomic():
        training = _lock_training(training.pk)
        training.enrolment_link_key = new_token()
        training.save(update_fields=["enrolment_link_key"])
    return training


def enrolment_cancel(*, enrolment: Enrolment, by=None) -> Enrolment:
    """Cancel a live enrolment (registered, waitlisted or offered); cancelling twice is harmless.
    A registered participant who leaves after the first meeting has begun is DROPPED_OUT instead.

    Side effects: cancels its waiting reminders, schedules ENROLMENT_CANCELLED, offers the freed
    place to the next in line (WAITLIST_OFFER) and reopens the run when nobody waits.
    `by` is the staff member who cancelled, None for the person themselves.
    """
    with transaction.atomic():
        training = _lock_training(enrolment.training_id)
        enrolment = _lock_enrolment(enrolment.pk)
        if enrolment.status in (EnrolmentStatus.CANCELLED, EnrolmentStatus.DROPPED_OUT):
            return enrolment
        if not enrolment_cancellable(enrolment):
            raise ValidationError(_("This enrolment can no longer be cancelled."))
        # Leaving once the run has begun is dropping out: the figures keep those apart.
        dropping_out = enrolment.status == EnrolmentStatus.REGISTERED and training_has_started(training)
        enrolment.status = EnrolmentStatus.DROPPED_OUT if dropping_out else EnrolmentStatus.CANCELLED
        enrolment.cancelled_at = timezone.now()
        enrolment.save(update_fields=["status", "cancelled_at"])
        reminders_cancel(enrolment=enrolment)
        message_schedule(kind=MessageKind.ENROLMENT_CANCELLED, enrolment=enrolment)
        _offer_next(training)
        _update_status(training)
    return enrolment


def waitlist_offer_next(*, training: Training) -> list[Enrolment]:
    """Offer as many places as are free to those waiting, first in line first.

    Side effects: the offered enrolments become OFFERED with offer_expires_at = now + the
    offer time staff set (policy waitlist_offer_hours) and get WAITLIST_OFFER; the run's status follows.
    """
    with transaction.atomic():
        training = _lock_training(training.pk)
        offered = _offer_next(training)
        _update_status(training)
    return offered


def offer_accept(*, enrolment: Enrolment) -> Enrolment:
    """Take the offered place. Accepting twice is harmless; an offer that is not open or has
    expired is refused.

    Side effects: the enrolment becomes REGISTERED; schedules ENROLMENT_CONFIRMED (with the
    .ics), the meeting reminders and the evaluation requests.
    """
    with transaction.atomic():
        _lock_training(enrolment.training_id)
        enrolment = _lock_enrolment(enrolment.pk)
        if enrolment.status == EnrolmentStatus.REGISTERED and enrolment.offer_expires_at is not None:
            return enrolment
        if not offer_is_open(enrolment):
            if enrolment.status == EnrolmentStatus.OFFERED:
                raise ValidationError(_("This offer has expired."))
            raise ValidationError(_("There is no open offer of a place for this enrolment."))
        enrolment.status = EnrolmentStatus.REGISTERED
        enrolment.save(update_fields=["status"])
        _confirm(enrolment)
    return enrolment


def offers_lapse() -> int:
    """Lapse every expired offer (for the periodic task `trainings.lapse_offers`).

    Side effects: each lapsed enrolment becomes CANCELLED and gets OFFER_LAPSED; its place is
    offered to the next in line. Returns the number of offers lapsed.
    """
    now = timezone.now()
    training_ids = sorted(
        set(
            Enrolment.objects.filter(status=EnrolmentStatus.OFFERED, offer_expires_at__lte=now).values_list(
                "training_id", flat=True
            )
        )
    )
    lapsed = 0
    for training_id in training_ids:
        with transaction.atomic():
            training = _lock_training(training_id)
            expired = training.enrolments.select_for_update().filter(
                status=EnrolmentStatus.OFFERED, offer_expires_at__lte=now
            )
            for enrolment in expired:
                enrolment.status = EnrolmentStatus.CANCELLED
                enrolment.cancelled_at = now
                enrolment.save(update_fields=["status", "cancelled_at"])
                reminders_cancel(enrolment=enrolment)
                message_schedule(kind=MessageKind.OFFER_LAPSED, enrolment=enrolment)
                lapsed += 1
            _offer_next(training)
            _update_status(training)
    return lapsed


def enrolment_move(*, enrolment: Enrolment, to_training: Training, by=None) -> Enrolment:
    """Move a live enrolment to another run; returns the new enrolment.

    The old enrolment becomes CANCELLED (its reminders cancelled, no cancellation mail); the new
    one copies consent, source, dietary wishes and language, and is REGISTERED when the other run
    has a free place and nobody waits there, else WAITLISTED. Side effects: the confirmation for
    the new run (ENROLMENT_CONFIRMED or WAITLIST_CONFIRMED), and the freed place in the old run is
    offered to the next in line. Both runs are locked, the lower id first.
    """
    if enrolment.training_id == to_training.pk:
        raise ValidationError({"to_training": _("Choose another training run.")})
    with transaction.atomic():
        locked = {pk: _lock_training(pk) for pk in sorted([enrolment.training_id, to_training.pk])}
        old_training, to_training = locked[enrolment.training_id], locked[to_training.pk]
        enrolment = _lock_enrolment(enrolment.pk)
        if enrolment.status not in LIVE_STATUSES:
            raise ValidationError(_("Only a live enrolment can be moved."))
        if not training_takes_enrolments(to_training):
            raise ValidationError({"to_training": NOT_ENROLLABLE})
        if (
            to_training.enrolments.filter(person_id=enrolment.person_id)
            .exclude(status=EnrolmentStatus.CANCELLED)
            .exists()
        ):
            raise ValidationError({"to_training": ALREADY_ENROLLED})
        now = timezone.now()
        enrolment.status = EnrolmentStatus.CANCELLED
        enrolment.cancelled_at = now
        enrolment.save(update_fields=["status", "cancelled_at"])
        reminders_cancel(enrolment=enrolment)
        has_place = places_held(to_training) < to_training.capacity and not _waiting(to_training).exists()
        moved = Enrolment.objects.create(
            training=to_training,
            person_id=enrolment.person_id,
            status=EnrolmentStatus.REGISTERED if has_place else EnrolmentStatus.WAITLISTED,
            waitlisted_at=None if has_place else now,
            source=enrolment.source,
            dietary_wishes=enrolment.dietary_wishes,
            privacy_version=enrolment.privacy_version,
            consented_at=enrolment.consented_at,
            language=enrolment.language,
            enrolled_by=by,
            created_at=now,
        )
        _confirm(moved)
        _offer_next(old_training)
        _update_status(old_training)
        _update_status(to_training)
    return moved
