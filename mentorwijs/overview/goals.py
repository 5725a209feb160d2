"""Progress of the dissemination plan's goals: what was reached in each goal's period.

Reached, per communication goal, for the goal's target group in its period (inclusive dates; a
datetime counts on its day in the project's time zone, Europe/Amsterdam):
- inform: distinct organisations with an outreach contact dated in the period, at any stage
  (every stage implies informed);
- convince: distinct organisations with a contact in the period at stage convinced or further,
  or with a person enrolled (registered, completed, waitlisted or offered) in the period;
- train: distinct persons of such organisations whose enrolment was completed in the period.

All of it is one query whatever the number of goals: each goal row gets a correlated subquery
that counts in the database."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Exists, F, Func, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from dissemination.enums import STAGE_ORDER, CommunicationGoal, Stage
from dissemination.models import Goal, Organisation, OutreachContact, Person
from dissemination.queries_goals import goal_list
from trainings.enums import ACTIVE_STATUSES, EnrolmentStatus
from trainings.models import Enrolment

# Stages that count as convinced: convinced and everything further down the funnel.
CONVINCED_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.CONVINCED) :]
# Enrolments that show an organisation is convinced: taking part, done, or in line for a place.
CONVINCED_ENROLMENT_STATUSES = [*ACTIVE_STATUSES, EnrolmentStatus.WAITLISTED, EnrolmentStatus.OFFERED]


@dataclass(frozen=True)
class GoalProgress:
    """One goal with what was reached. `percent` is the real share of the target (it may pass
    100); `bar_percent` is capped at 100 for the bar."""

    goal: Goal
    reached: int
    target: int
    percent: int
    period_state: str  # "ended", "running" or "coming"

    @property
    def bar_percent(self) -> int:
        return min(self.percent, 100)

    @property
    def met(self) -> bool:
        return self.reached >= self.target


def _local_day(field: str):
    return TruncDate(field, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _count(queryset) -> Coalesce:
    """The number of rows of a correlated queryset, as a scalar subquery (COUNT without GROUP BY)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _in_period(field: str) -> dict:
    """Filter kwargs: `field` within the period of the goal two query levels up."""
    return {f"{field}__gte": OuterRef(OuterRef("starts_on")), f"{field}__lte": OuterRef(OuterRef("ends_on"))}


def reached_expression(*, region=None) -> Case:
    """The number reached for a Goal row (annotate a Goal queryset with it). `region` limits the
    count to organisations (and their people) in that region."""
    organisations = Organisation.objects.filter(target_group=OuterRef("target_group"))
    people = Person.objects.filter(organisation__target_group=OuterRef("target_group"))
    if region is not None:
        organisations = organisations.filter(region=region)
        people = people.filter(organisation__region=region)
    contacts = OutreachContact.objects.filter(organisation=OuterRef("pk"), **_in_period("date"))
    enrolled = (
        Enrolment.objects.annotate(day=_local_day("created_at"))
        .filter(person__organisation=OuterRef("pk"), status__in=CONVINCED_ENROLMENT_STATUSES)
        .filter(**_in_period("day"))
    )
    completed = (
        Enrolment.objects.annotate(day=_local_day("completed_at"))
        .filter(person=OuterRef("pk"), status=EnrolmentStatus.COMPLETED)
        .filter(**_in_period("day"))
    )
    return Case(
        When(goal=CommunicationGoal.INFORM, then=_count(organisations.filter(Exists(contacts)))),
        When(
            goal=CommunicationGoal.CONVINCE,
            then=_count(organisations.filter(Exists(contacts.filter(stage__in=CONVINCED_STAGES)) | Exists(enrolled))),
        ),
        When(goal=CommunicationGoal.TRAIN, then=_count(people.filter(Exists(completed)))),
        default=Value(0),
        output_field=IntegerField(),
    )


def _period_state(goal: Goal, today) -> str:
    if goal.ends_on < today:
        return "ended"
    if goal.starts_on > today:
        return "coming"
    return "running"


def goal_progress(goals=None, *, region=None) -> list[GoalProgress]:
    """One row per goal, in the order given, with what was reached in its period.

    `goals` is a Goal queryset (annotated in place: one query), a list of goals (read again by id:
    one query, none when empty), or None for all goals in the order of the goal list."""
    if goals is None:
        goals = goal_list()
    reached = reached_expression(region=region)
    if isinstance(goals, QuerySet):
        pairs = [(goal, goal.reached) for goal in goals.annotate(reached=reached)]
    else:
        goals = list(goals)
        if not goals:
            return []
        counts = dict(
            Goal.objects.filter(pk__in=[goal.pk for goal in goals]).annotate(n=reached).values_list("pk", "n")
        )
        pairs = [(goal, counts.get(goal.pk, 0)) for goal in goals]
    today = timezone.localdate()
    return [
        GoalProgress(
            goal=goal,
            reached=count,
            target=goal.target,
            percent=count * 100 // goal.target,
            period_state=_period_state(goal, today),
        )
        for goal, count in pairs
    ]
