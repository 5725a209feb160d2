"""Read paths of enrolment: the public list, a run's participants (also for its sign-in sheets and
dietary list), the public organisation search."""

from datetime import datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from dissemination.models import Organisation, Person, Region
from mentorwijs.policy.queries import policy_value

from ..enums import (
    ACTIVE_STATUSES,
    ENROLLABLE_STATUSES,
    PLACE_HOLDING_STATUSES,
    PUBLIC_STATUSES,
    PUBLIC_VARIANTS,
    EnrolmentStatus,
    MeetingStatus,
    TrainingStatus,
)
from ..models import (
    Attendance,
    Enrolment,
    Meeting,
    Training,
)


def places_held():
    """Annotation: the number of places held in a run (registered, offered, completed)."""
    held = (
        Enrolment.objects.filter(training=OuterRef("pk"), status__in=PLACE_HOLDING_STATUSES)
        .order_by()
        .values("training")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(held, output_field=IntegerField()), Value(0))


# --- enrolment and waiting list (public list, participant list) ---


def _publicly_enrollable():
    """Runs of a public variant that take enrolments and whose first scheduled meeting has not begun."""
    started = Meeting.objects.filter(
        training=OuterRef("pk"), status=MeetingStatus.SCHEDULED, starts_at__lte=timezone.now()
    )
    return Training.objects.filter(status__in=ENROLLABLE_STATUSES, variant__in=PUBLIC_VARIANTS).exclude(Exists(started))


def public_training_list(*, region_id: int | None = None):
    """Runs that take enrolments, by region and first meeting, with places held and meetings.
    Runs whose first scheduled meeting has begun take no public enrolments and are left out."""
    first_meeting = Meeting.objects.filter(training=OuterRef("pk")).order_by("starts_at").values("starts_at")[:1]
    runs = (
        _publicly_enrollable()
        .select_related("region")
        .annotate(
            places_held=places_held(),
            first_meeting_at=Subquery(first_meeting),
        )
        .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.select_related("location").order_by("number")))
        .order_by("region__name", "first_meeting_at", "pk")
    )
    if region_id is not None:
        runs = runs.filter(region_id=region_id)
    return runs


def public_regions():
    """Regions that have at least one run taking public enrolments."""
    return Region.objects.filter(pk__in=_publicly_enrollable().values("region_id")).order_by("name")


# --- the public organisation search ---

# Fewer letters than this find nothing: the search must not read out the list a letter at a time.
SEARCH_MIN_LETTERS = 3
SEARCH_RESULTS = 10


def public_organisations():
    """Organisations that are public already: hosting a public run (of a public variant, on the public
    list or feed), or confirmed by staff after a participant named them (Organisation.public_since).
    The public search and the public enrolment form see no other."""
    hosts_public_run = Training.objects.filter(
        host_organisation=OuterRef("pk"), variant__in=PUBLIC_VARIANTS, status__in=PUBLIC_STATUSES
    )
    return Organisation.objects.filter(Q(public_since__isnull=False) | Exists(hosts_public_run))


def public_organisations_named(q: str) -> list[dict]:
    """For the public search box: at most SEARCH_RESULTS public organisations whose name contains q
    (nothing for fewer than SEARCH_MIN_LETTERS letters), with id, name and city."""
    q = q.strip()
    if sum(character.isalnum() for character in q) < SEARCH_MIN_LETTERS:
        return []
    return list(
        public_organisations()
        .filter(name__icontains=q)
        .order_by("name", "pk")
        .values("id", "name", "city")[:SEARCH_RESULTS]
    )


def training_participants(*, training_id: int):
    """Every enrolment of a run with person and organisation, in line order (one query)."""
    return (
        Enrolment.objects.filter(training_id=training_id)
        .select_related("person__organisation", "enrolled_by", "certificate")
        .annotate(
            meetings_attended=Count("attendances", filter=Q(attendances__present=True)),
            # The ambassadors app's profile (a reverse relation, not an import): staff invite a
            # participant who completed the run and has none yet.
            has_ambassador_profile=Exists(Person.objects.filter(pk=OuterRef("person_id"), ambassador__isnull=False)),
        )
        .order_by("waitlisted_at", "created_at", "id")
    )


def active_participants(*, training_id: int):
    """Who takes part in a run (registered or completed), with person and organisation, by last
    name whatever its case ("de Vries" among the D's): the sign-in sheet's and the dietary list's
    rows (one query)."""
    return (
        Enrolment.objects.filter(training_id=training_id, status__in=ACTIVE_STATUSES)
        .select_related("person__organisation")
        .order_by(Lower("person__last_name"), Lower("person__first_name"), "pk")
    )


def dietary_wishes_kept_until(*, training_id: int) -> datetime | None:
    """Until when the run's dietary wishes are kept: the retention rule empties them
    retention_run_details_days after the end of the run's last meeting (run_details_clear). None
    for a run without meetings, whose wishes are kept (two queries: the meetings and the policy)."""
    last_end = Meeting.objects.filter(training_id=training_id).aggregate(last=Max("ends_at"))["last"]
    if last_end is None:
        return None
    return last_end + timedelta(days=policy_value("retention_run_details_days"))


def dietary_list(*, training_id: int, now=None) -> dict:
    """The dietary list of a run for the host's caterer: how many take part, those who gave dietary
    wishes, and the meetings with a shared meal. While the retention rule keeps the wishes
    (`kept`); after that nothing of them is read, even before the daily clean-up has emptied them.
    Four queries at most, whatever the number of participants."""
    kept_until = dietary_wishes_kept_until(training_id=training_id)
    kept = kept_until is None or kept_until > (now or timezone.now())
    if not kept:
        return {"kept": False, "kept_until": kept_until, "participant_count": 0, "wishes": [], "meal_meetings": []}
    participants = list(active_participants(training_id=training_id))
    return {
        "kept": True,
        "kept_until": kept_until,
        "participant_count": len(participants),
        "wishes": [enrolment for enrolment in participants if enrolment.dietary_wishes.strip()],
        "meal_meetings": list(
            Meeting.objects.filter(training_id=training_id, meal_served=True, status=MeetingStatus.SCHEDULED).order_by(
                "number"
            )
        ),
    }


def participant_export(*, training):
    """A run's scheduled meetings and every enrolment with person, organisation and attendance, for
    the participant list as a spreadsheet: three queries whatever the number of participants."""
    meetings = list(training.meetings.exclude(status=MeetingStatus.CANCELLED).order_by("number"))
    attendances = Attendance.objects.only("enrolment_id", "meeting_id", "present", "catches_up_id")
    enrolments = (
        Enrolment.objects.filter(training_id=training.pk)
        .select_related("person__organisation")
        .prefetch_related(Prefetch("attendances", queryset=attendances))
        .order_by("waitlisted_at", "created_at", "id")
    )
    return meetings, enrolments


# --- late enrolments: the meetings to catch up ---


def meetings_begun(*, training_id: int, now=None):
    """The run's scheduled meetings that have begun, in time order: the run has started once there
    is one (services.enrolment.training_has_started), and whoever joins now has missed them."""
    return Meeting.objects.filter(
        training_id=training_id, status=MeetingStatus.SCHEDULED, starts_at__lte=now or timezone.now()
    ).order_by("starts_at", "number")


def late_catch_ups(*, training, enrolments, now=None) -> dict[int, list[dict]]:
    """Per late enrolment among `enrolments` (staff added them after the run had begun, with a
    reason): the run's scheduled meetings that had begun when they joined, each as {"meeting",
    "done": attended or caught up already, "where": the next scheduled meeting with that number in
    another run of the same variant (not a draft, not cancelled) where it can be caught up, or None}.
    Three queries when there is a late enrolment, none otherwise, whatever the number of rows."""
    late = [enrolment for enrolment in enrolments if enrolment.late_reason]
    if not late:
        return {}
    latest = max(enrolment.created_at for enrolment in late)
    begun = list(
        Meeting.objects.filter(training_id=training.pk, status=MeetingStatus.SCHEDULED, starts_at__lte=latest).order_by(
            "starts_at", "number"
        )
    )
    done = set()
    for enrolment_id, meeting_id, catches_up_id in Attendance.objects.filter(
        enrolment_id__in=[enrolment.pk for enrolment in late], present=True
    ).values_list("enrolment_id", "meeting_id", "catches_up_id"):
        done.add((enrolment_id, catches_up_id or meeting_id))
    elsewhere = {}
    numbers = {meeting.number for meeting in begun}
    if numbers:
        for meeting in (
            Meeting.objects.filter(
                training__variant=training.variant,
                number__in=numbers,
                status=MeetingStatus.SCHEDULED,
                starts_at__gt=now or timezone.now(),
            )
            .exclude(training_id=training.pk)
            .exclude(training__status__in=[TrainingStatus.DRAFT, TrainingStatus.CANCELLED])
            .select_related("training")
            .order_by("number", "starts_at", "pk")
        ):
            elsewhere.setdefault(meeting.number, meeting)
    return {
        enrolment.pk: [
            {
                "meeting": meeting,
                "done": (enrolment.pk, meeting.pk) in done,
                "where": elsewhere.get(meeting.number),
            }
            for meeting in begun
            if meeting.starts_at <= enrolment.created_at
        ]
        for enrolment in late
    }


def completed_participants(region: Region | None = None):
    """The ids of the persons who completed a run (in `region`: the run's region), for inviting past
    participants to an event (dissemination's invite group "past participants", registered in
    TrainingsConfig.ready)."""
    enrolments = Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED)
    if region is not None:
        enrolments = enrolments.filter(training__region=region)
    return enrolments.values("person_id")


def register_past_participants() -> None:
    """Offer the past participants of runs on the event page "Invite many at once"."""
    from django.utils.translation import gettext_lazy as _

    from dissemination.queries.outreach_events import InviteGroup, register_invite_group

    register_invite_group(
        InviteGroup(
            key="past_participants",
            label=_("Past participants: everyone who completed a training"),
            person_ids=completed_participants,
            region_help=_("for past participants, the region of the training they completed"),
        )
    )
