"""Read paths of the event pages: counts of invited and attended guests are computed in the
database, so every page runs a fixed number of queries whatever the number of events or guests."""

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils import timezone

from ..models import Event, EventGuest, Person

GUEST_MATCHES_SHOWN = 25


def _with_counts(events, today=None):
    today = today or timezone.localdate()
    return events.annotate(
        invited_count=Count("guests", filter=Q(guests__invited=True)),
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
