"""iCalendar files of meetings (the icalendar package): feeds and mail attachments."""

from datetime import UTC

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from .enums import MeetingStatus


def ics_for_meetings(meetings, *, name: str) -> bytes:
    """One VEVENT per meeting, published (METHOD:PUBLISH, so a mail client offers to add or update
    it). The UID is stable and the SEQUENCE goes up whenever the meeting moves or is cancelled, so
    a calendar updates a moved meeting in place and marks a cancelled one as cancelled."""
    calendar = Calendar()
    calendar.add("prodid", "-//Mentorwijs//Trainingen//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().astimezone(UTC)
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@mentorwijs.nl")
        event.add("sequence", meeting.sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at.astimezone(UTC))
        event.add("dtend", meeting.ends_at.astimezone(UTC))
        event.add("summary", f"Mentorwijs: {meeting.training.title} ({meeting.number})")
        location = meeting.location
        event.add("location", ", ".join(part for part in [location.name, location.address, location.city] if part))
        event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()


def feed_token(pk: int, *, salt: str) -> str:
    """The token of a private calendar feed: the id, signed with the feed's own salt. No timestamp,
    so the address a calendar app keeps stays the same."""
    return signing.Signer(salt=salt).sign(str(pk))


def feed_token_id(token: str, *, salt: str) -> int | None:
    """The id in a feed token, or None when the token is not genuine (or of another feed)."""
    try:
        return int(signing.Signer(salt=salt).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


TRAINER_FEED_SALT = "mentorwijs.trainings.trainer_feed"
PARTICIPANT_FEED_SALT = "mentorwijs.trainings.participant_feed"


def trainer_feed_token(user) -> str:
    """A permanent, signed link to one trainer's calendar feed; it carries only the user id."""
    return feed_token(user.pk, salt=TRAINER_FEED_SALT)


def participant_feed_token(enrolment) -> str:
    """A permanent, signed link to one participant's calendar feed. It carries only the enrolment
    id and opens nothing else: the personal token (cancel, accept, questionnaires, certificate)
    stays out of calendar apps."""
    return feed_token(enrolment.pk, salt=PARTICIPANT_FEED_SALT)


def participant_feed_url(enrolment) -> str:
    """The full address of the participant's own calendar feed (for mails and the personal page)."""
    token = participant_feed_token(enrolment)
    return settings.SITE_URL + reverse("trainings:participant_feed", kwargs={"token": token})
