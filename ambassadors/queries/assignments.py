"""Read paths of the assignments pages: each runs a fixed number of queries whatever the number
of trainers, offers or runs."""

from django.contrib.auth.models import Group
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from mentorwijs.accounts.models import User
from trainings.enums import AssignmentRole, MeetingStatus
from trainings.models import Assignment, Meeting, Training

from ..enums import OfferStatus
from ..models import AssignmentOffer
from ..services.eligibility import (
    GIVING_USER_ROLES,
    OFFERABLE_STATUSES,
    ROLE_MINIMUM_LEVEL,
    days_not_covered,
    needs_certification,
)
from . import granted_certifications

# Lead, co-trainers, candidates.
ROLE_ORDER = Case(
    When(role=AssignmentRole.LEAD, then=Value(0)),
    When(role=AssignmentRole.CO_TRAINER, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def trainers_to_choose(*, training):
    """Active users with the trainer or master-trainer role who do not give this run yet, by name
    (each once, also when they hold both roles)."""
    giving = Group.objects.filter(user=OuterRef("pk"), name__in=GIVING_USER_ROLES)
    return (
        User.objects.filter(Exists(giving), is_active=True)
        .exclude(assignments__training=training)
        .order_by("first_name", "last_name", "pk")
    )


def run_for_assignments():
    """Runs with their region and scheduled meetings (in time order), for the assignments page."""
    scheduled = Meeting.objects.filter(status=MeetingStatus.SCHEDULED).order_by("starts_at")
    return Training.objects.select_related("region").prefetch_related(
        Prefetch("meetings", queryset=scheduled, to_attr="scheduled_meetings")
    )


def run_team(*, training) -> list[Assignment]:
    """The run's assignments, lead first, each with `uncovered`: the meeting dates on which the
    trainer's certification does not cover their role; for one staff recorded as history
    (as_history, by assigned_by) only the meetings not yet begun count (two queries)."""
    assignments = list(
        Assignment.objects.filter(training=training)
        .select_related("trainer", "assigned_by")
        .order_by(ROLE_ORDER, "assigned_at")
    )
    now = timezone.now()
    # [0] when there is nobody: the query still runs, so the page's count stays the same.
    certifications = granted_certifications([assignment.trainer_id for assignment in assignments] or [0])
    for assignment in assignments:
        days = sorted(
            {
                timezone.localdate(meeting.starts_at)
                for meeting in training.scheduled_meetings
                if needs_certification(meeting, as_history=assignment.as_history, now=now)
            }
        )
        assignment.uncovered = days_not_covered(
            certifications.get(assignment.trainer_id, []), days, ROLE_MINIMUM_LEVEL[assignment.role]
        )
    return assignments


def open_offers(*, training):
    """Offers waiting for staff for this run, oldest first."""
    return (
        AssignmentOffer.objects.filter(training=training, status=OfferStatus.OPEN)
        .select_related("trainer")
        .order_by("created_at", "pk")
    )


def open_runs(*, trainer):
    """Runs this trainer may offer to give: draft, open or full, first scheduled meeting ahead, not
    given by them yet. Annotated: first and last meeting, number of meetings, whether the run has a
    lead and whether the trainer has an offer waiting. Runs without a lead first. One query."""
    scheduled = Meeting.objects.filter(training=OuterRef("pk"), status=MeetingStatus.SCHEDULED)
    meeting_count = scheduled.order_by().values("training").annotate(count=Count("pk")).values("count")
    return (
        Training.objects.filter(status__in=OFFERABLE_STATUSES)
        .annotate(
            first_meeting_at=Subquery(scheduled.order_by("starts_at").values("starts_at")[:1]),
            last_meeting_at=Subquery(scheduled.order_by("-starts_at").values("starts_at")[:1]),
            meeting_count=Coalesce(Subquery(meeting_count, output_field=IntegerField()), Value(0)),
            has_lead=Exists(Assignment.objects.filter(training=OuterRef("pk"), role=AssignmentRole.LEAD)),
            gives=Exists(Assignment.objects.filter(training=OuterRef("pk"), trainer=trainer)),
            offered=Exists(
                AssignmentOffer.objects.filter(training=OuterRef("pk"), trainer=trainer, status=OfferStatus.OPEN)
            ),
        )
        .filter(first_meeting_at__gt=timezone.now(), gives=False)
        .select_related("region")
        .order_by("has_lead", "first_meeting_at", "pk")
    )


def offers_of(*, trainer):
    """A trainer's own offers, newest first, with their runs."""
    return (
        AssignmentOffer.objects.filter(trainer=trainer)
        .select_related("training__region", "decided_by")
        .order_by("-created_at", "-pk")
    )
