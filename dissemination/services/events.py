"""Events: congresses, inspiration meetings and conferences where Mentorwijs is presented.

Staff plan an event, invite persons (one by one, or many at once: event_invite_bulk), each invitation
mailed with a personal answer link (event_mails.py); guests answer yes or no (guest_answer); staff
record who came (walk-ins included) once the day has come, note which ambassadors or trainers spoke,
the outcomes and a follow-up. Nothing about an
employee's health or disability is ever recorded (the outcome and follow-up fields warn)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role

from ..enums import EventKind, RsvpAnswer
from ..models import Event, EventGuest
from ..queries.outreach_events import INVITE_GROUPS, invite_preview
from .event_mails import invitations_schedule, rsvp_open

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

    Side effects: one EventGuest row (invited, not attended) per new person and, while the event is
    ahead, an invitation mail with their answer link (event_mails.invitations_schedule) to each who
    has an address."""
    _check_manager(by)
    persons = list({person.pk: person for person in persons}.values())
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()  # one invitation round at a time
        present = set(event.guests.filter(person__in=persons).values_list("person_id", flat=True))
        new = EventGuest.objects.bulk_create(
            [EventGuest(event=event, person=person) for person in persons if person.pk not in present]
        )
        invitations_schedule(guests=new)
    return len(new)


def guest_answer(*, guest: EventGuest, answer: str) -> EventGuest:
    """The guest's answer through their personal link: yes or no, changeable until the day of the
    event. The person needs no account: the signed link is the proof.

    Side effects: EventGuest.rsvp and rsvp_at (the moment of the latest answer). Refusals raise
    ValidationError; nothing is saved then."""
    if answer not in RsvpAnswer.values:
        raise ValidationError(_("Choose whether you are coming."))
    if not rsvp_open(guest.event):
        raise ValidationError(_("This event has taken place; answering is closed."))
    with transaction.atomic():
        locked = EventGuest.objects.select_for_update().get(pk=guest.pk)
        if locked.rsvp != answer:
            locked.rsvp = answer
            locked.rsvp_at = timezone.now()
            locked.save(update_fields=["rsvp", "rsvp_at"])
    guest.rsvp, guest.rsvp_at = locked.rsvp, locked.rsvp_at
    return guest


def bulk_invite_check(*, group_key: str, region=None, target_group: str = ""):
    """The invite group of a bulk invitation; ValidationError by field for a group that is not known or
    that would be everyone without a region or target group."""
    group = INVITE_GROUPS.get(group_key)
    if group is None:
        raise ValidationError({"group": _("Choose whom to invite.")})
    if group.needs_criterion and region is None and not target_group:
        raise ValidationError({"region": _("Choose a region or a target group: otherwise everyone is invited.")})
    return group


def event_invite_bulk(*, event: Event, by, group_key: str, region=None, target_group: str = "") -> dict:
    """Invite everyone of an invite group (queries.outreach_events.INVITE_GROUPS: the people of
    organisations, past participants of trainings), narrowed by region and target group, as
    `invite_preview` shows them: people already on the guest list, erased, unsubscribed from our mail
    or without an address are skipped. Staff only. A fixed number of queries, whatever the number.
    Returns {"invited": n, "skipped": n}.

    Side effects, in one transaction under the event's row lock (one invitation round at a time): an
    EventGuest (invited) and an INVITATION EventMail per person invited, the sending queued on commit."""
    _check_manager(by)
    group = bulk_invite_check(group_key=group_key, region=region, target_group=target_group)
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()
        preview = invite_preview(event=event, group=group, region=region, target_group=target_group)
        guests = EventGuest.objects.bulk_create([EventGuest(event=event, person=person) for person in preview.invite])
        invitations_schedule(guests=guests)
    return {"invited": len(guests), "skipped": len(preview.skipped)}


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
