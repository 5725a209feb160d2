"""Read paths of the event pages: counts of invited and attended guests and of the answers are
computed in the database, so every page runs a fixed number of queries whatever the number of events
or guests.

Inviting many at once (`invite_preview`) reads the people of one invite group (INVITE_GROUPS), narrowed
by region and target group, in one query, and sorts them into those who will be invited and those
skipped (already on the guest list, erased, unsubscribed from our mail, no address). Dissemination's
own group is the people of organisations; trainings adds its past participants from its
AppConfig.ready (register_invite_group), so dissemination imports nothing of trainings."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorwijs.accounts.services import ERASED_FIRST_NAME

from ..enums import RsvpAnswer, SubscriberStatus
from ..models import Event, EventGuest, Person, Region, Subscriber

GUEST_MATCHES_SHOWN = 25


def _with_counts(events, today=None):
    today = today or timezone.localdate()
    return events.annotate(
        invited_count=Count("guests", filter=Q(guests__invited=True)),
        coming_count=Count("guests", filter=Q(guests__invited=True, guests__rsvp=RsvpAnswer.YES)),
        declined_count=Count("guests", filter=Q(guests__invited=True, guests__rsvp=RsvpAnswer.NO)),
        unanswered_count=Count("guests", filter=Q(guests__invited=True, guests__rsvp="")),
        attended_count=Count("guests", filter=Q(guests__attended=True)),
        follow_up_due=ExpressionWrapper(
            Q(follow_up_done=False, follow_up_on__isnull=False, follow_up_on__lte=today),
            output_field=BooleanField(),
        ),
    )


def event_list(today=None):
    """Events, the latest first, each with invited_count, attended_count and follow_up_due."""
    return _with_counts(Event.objects.select_related("region"), today).order_by("-date", "-pk")


def event_follow_ups_due(today=None):
    """Events whose follow-up date has come (today or earlier) and whose follow-up is not done, the
    longest waiting first (for staff's home page)."""
    today = today or timezone.localdate()
    return Event.objects.filter(follow_up_done=False, follow_up_on__isnull=False, follow_up_on__lte=today).order_by(
        "follow_up_on", "date", "pk"
    )


def event_years() -> list[int]:
    """The years in which there are events, the latest first (for the year filter)."""
    return [day.year for day in Event.objects.dates("date", "year", order="DESC")]


def event_with_counts(today=None):
    """Events with their counts and region, without speakers."""
    return _with_counts(Event.objects.select_related("region"), today)


def event_detail(today=None):
    """Events with their counts, region, creator and speakers."""
    return _with_counts(Event.objects.select_related("region", "created_by"), today).prefetch_related("speakers")


def event_guests(event: Event):
    """The event's guests with their person and organisation, by name."""
    return (
        EventGuest.objects.filter(event=event)
        .select_related("person__organisation")
        .order_by("person__last_name", "person__first_name", "person_id")
    )


def persons_matching(q: str, limit: int = GUEST_MATCHES_SHOWN) -> list:
    """At most `limit` persons whose name, email or organisation contains every word of q
    (nothing for fewer than two characters), with their organisation."""
    words = q.split()
    if len("".join(words)) < 2:
        return []
    persons = Person.objects.select_related("organisation")
    for word in words:
        persons = persons.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    return list(persons.order_by("last_name", "first_name", "pk")[:limit])


# --- inviting many at once ---


@dataclass(frozen=True)
class InviteGroup:
    """Whom a bulk invitation can reach: `person_ids(region)` answers a values("pk")-like queryset of
    person ids (the region narrows it as the group understands a region: the organisation's, or the
    run's); `needs_criterion`: without a region or target group it would be everyone, so one is asked."""

    key: str
    label: str
    person_ids: Callable[[Region | None], QuerySet]
    needs_criterion: bool = False
    region_help: str = ""


def _people_of_organisations(region: Region | None) -> QuerySet:
    people = Person.objects.filter(organisation__isnull=False)
    if region is not None:
        people = people.filter(organisation__region=region)
    return people.values("pk")


INVITE_GROUPS: dict[str, InviteGroup] = {
    "organisations": InviteGroup(
        key="organisations",
        label=_("People of organisations"),
        person_ids=_people_of_organisations,
        needs_criterion=True,
        region_help=_("for people of organisations, the region of their organisation"),
    )
}


def register_invite_group(group: InviteGroup) -> None:
    """Add (or replace) a group of people to invite; called from an app's AppConfig.ready."""
    INVITE_GROUPS[group.key] = group


# Why someone of the group is not invited, in the order they are checked.
SKIP_ALREADY_INVITED = "already_invited"
SKIP_ERASED = "erased"
SKIP_UNSUBSCRIBED = "unsubscribed"
SKIP_NO_EMAIL = "no_email"
SKIP_REASONS = {
    SKIP_ALREADY_INVITED: _("already on the guest list"),
    SKIP_ERASED: _("erased at their request"),
    SKIP_UNSUBSCRIBED: _("unsubscribed from our mail"),
    SKIP_NO_EMAIL: _("no email address"),
}
# Mail that someone asked us to stop sending: a subscriber row of theirs that left or complained.
STOPPED_MAIL = (SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.COMPLAINED)


@dataclass
class InvitePreview:
    """Who a bulk invitation reaches: `invite` (persons, by name) and `skipped` [(person, reason)]."""

    invite: list = field(default_factory=list)
    skipped: list = field(default_factory=list)

    @property
    def skipped_labelled(self) -> list[tuple]:
        """(person, why) for each one skipped, the reason as its label."""
        return [(person, SKIP_REASONS[reason]) for person, reason in self.skipped]

    def skipped_counts(self) -> list[tuple[str, int]]:
        """(label, number) per reason that occurs, in the order of SKIP_REASONS."""
        counts = {}
        for _person, reason in self.skipped:
            counts[reason] = counts.get(reason, 0) + 1
        return [(SKIP_REASONS[reason], counts[reason]) for reason in SKIP_REASONS if reason in counts]


def _skip_reason(person) -> str | None:
    if person.already_invited:
        return SKIP_ALREADY_INVITED
    if person.first_name == ERASED_FIRST_NAME and person.last_name == f"persoon #{person.pk}":
        return SKIP_ERASED  # dissemination.services.privacy.person_anonymise
    if person.stopped_mail:
        return SKIP_UNSUBSCRIBED
    if not person.email:
        return SKIP_NO_EMAIL
    return None


def invite_preview(*, event: Event, group: InviteGroup, region: Region | None = None, target_group: str = ""):
    """The people of `group` (narrowed by `region` and by their organisation's `target_group`) sorted
    into those a bulk invitation to `event` reaches and those it skips, each by name. One query."""
    people = Person.objects.filter(pk__in=group.person_ids(region))
    if target_group:
        people = people.filter(organisation__target_group=target_group)
    stopped = Subscriber.objects.alias(email_lower=Lower("email")).filter(
        Q(person=OuterRef("pk")) | (~Q(email_lower="") & Q(email_lower=Lower(OuterRef("email")))),
        status__in=STOPPED_MAIL,
    )
    people = (
        people.select_related("organisation")
        .annotate(
            already_invited=Exists(EventGuest.objects.filter(event=event, person=OuterRef("pk"))),
            stopped_mail=Exists(stopped),
        )
        .order_by("last_name", "first_name", "pk")
    )
    preview = InvitePreview()
    for person in people:
        reason = _skip_reason(person)
        if reason is None:
            preview.invite.append(person)
        else:
            preview.skipped.append((person, reason))
    return preview
