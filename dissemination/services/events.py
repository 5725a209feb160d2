"""Events: congresses, inspiration meetings and conferences where Mentorwijs is presented.

Staff plan an event, invite persons, record who came (walk-ins included) once the day has come,
note which ambassadors or trainers spoke, the outcomes and a follow-up. Nothing about an
employee's health or disability is ever recorded (the outcome and follow-up fields warn)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role

from ..enums import EventKind
from ..models import Event, EventGuest

# Who may be named as a speaker: people who present Mentorwijs.
SPEAKER_ROLES = (Role.AMBASSADOR, Role.TRAINER, Role.MASTER_TRAINER)

ONLY_STAFF = _("Only staff manage events.")


def _check_manager(by) -> None:
    if not by.has_perm("dissemination.manage_events"):
        raise ValidationError(ONLY_STAFF)


def speaker_candidates():
    """Active users who may be named as speakers, by name."""
    return (
        User.objects.filter(is_active=True, groups__name__in=SPEAKER_ROLES)
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


def event_save(
    *,
    by,
    kind: str,
    title: str,
    date,
    event: Event | None = None,
    place: str = "",
    region=None,
    description: str = "",
    speakers=(),
    outcomes: str = "",
    follow_up: str = "",
    follow_up_on=None,
) -> Event:
    """Create an event (no `event` given) or change one. Staff only.

    Speakers newly named must be active users holding the ambassador, trainer or master-trainer
    role; someone who already spoke stays listed even after losing the role. A changed follow-up
    date opens the follow-up again.

    Side effects: writes the Event and replaces its speakers. Refusals raise ValidationError by
    field; nothing is saved then."""
    _check_manager(by)
    title = (title or "").strip()
    speakers = list(dict.fromkeys(speakers))
    errors = {}
    if kind not in EventKind.values:
        errors["kind"] = _("Choose the kind of event.")
    if not title:
        errors["title"] = _("Give the event a title.")
    if date is None:
        errors["date"] = _("Fill in the date of the event.")
    elif follow_up_on is not None and follow_up_on < date:
        errors["follow_up_on"] = _("The follow-up cannot be before the event.")
    existing = set(event.speakers.values_list("pk", flat=True)) if event is not None and event.pk else set()
    new_ids = {user.pk for user in speakers} - existing
    if new_ids:
        allowed = set(speaker_candidates().filter(pk__in=new_ids).values_list("pk", flat=True))
        if new_ids - allowed:
            errors["speakers"] = _("Speakers must be ambassadors or trainers.")
    if errors:
        raise ValidationError(errors)

    creating = event is None or event.pk is None
    event = event or Event()
    if not creating and follow_up_on != event.follow_up_on:
        event.follow_up_done = False
    event.kind = kind
    event.title = title
    event.date = date
    event.place = (place or "").strip()
    event.region = region
    event.description = (description or "").strip()
    event.outcomes = (outcomes or "").strip()
    event.follow_up = (follow_up or "").strip()
    event.follow_up_on = follow_up_on
    if creating:
        event.created_by = by
    with transaction.atomic():
        event.save()
        event.speakers.set(speakers)
    return event


def event_invite(*, event: Event, persons, by) -> int:
    """Invite persons to an event. Staff only. Persons already on the guest list (invited or
    walked in) are skipped, so inviting twice adds once. Returns the number of new guests.

    Side effects: one EventGuest row (invited, not attended) per new person."""
    _check_manager(by)
    person_ids = list(dict.fromkeys(person.pk for person in persons))
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()  # one invitation round at a time
        present = set(event.guests.filter(person_id__in=person_ids).values_list("person_id", flat=True))
        new = [EventGuest(event=event, person_id=pk) for pk in person_ids if pk not in present]
        EventGuest.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def event_record_attendance(*, event: Event, present_person_ids, walk_ins=(), by) -> dict:
    """Record who came to an event, once its date has come. Staff only.

    The guests whose person is in `present_person_ids` are marked present, all other guests not;
    a walk-in (someone not invited) left unmarked is taken off the list. `walk_ins` are persons
    added as present without an invitation (an invited one among them is simply marked present).
    Returns {"present": n, "walk_ins": n}.

    Side effects: updates, creates and deletes EventGuest rows in one transaction."""
    _check_manager(by)
    if event.date > timezone.localdate():
        raise ValidationError(_("Attendance can be recorded from the day of the event."))
    present_ids = {int(pk) for pk in present_person_ids}
    walk_in_ids = {person.pk for person in walk_ins}
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()
        guest_ids = set(event.guests.values_list("person_id", flat=True))
        unknown = present_ids - guest_ids
        if unknown:
            raise ValidationError({"present": _("Only guests can be marked present; add others as walk-ins.")})
        present_ids |= walk_in_ids & guest_ids
        new_walk_ins = walk_in_ids - guest_ids
        event.guests.filter(person_id__in=present_ids).update(attended=True)
        others = event.guests.exclude(person_id__in=present_ids)
        others.filter(invited=False).delete()
        others.update(attended=False)
        EventGuest.objects.bulk_create(
            [EventGuest(event=event, person_id=pk, invited=False, attended=True) for pk in sorted(new_walk_ins)]
        )
    return {"present": len(present_ids) + len(new_walk_ins), "walk_ins": len(new_walk_ins)}


def guest_remove(*, guest: EventGuest, by) -> None:
    """Take a person off an event's guest list (invitation and attendance). Staff only.

    Side effects: deletes the EventGuest row."""
    _check_manager(by)
    guest.delete()


def event_follow_up_done(*, event: Event, by) -> Event:
    """Mark the event's follow-up as done. Staff only; refused when no follow-up was planned."""
    _check_manager(by)
    if event.follow_up_on is None and not event.follow_up:
        raise ValidationError(_("This event has no follow-up."))
    if not event.follow_up_done:
        event.follow_up_done = True
        event.save(update_fields=["follow_up_done"])
    return event
