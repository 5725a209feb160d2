"""Progress of the dissemination plan's goals: what was reached in each goal's period.

Reached, per communication goal, for the goal's target group in its period, with the dashboard's
own definitions (mentorwijs/overview/dashboard.py), so goals and funnel agree on the same data:
- inform: organisations of the target group whose funnel step in the period is at least 1
  (informed): a contact in the period, or a person enrolled or completing in the period;
- convince: organisations whose step in the period is at least 3 (convinced): a contact at stage
  convinced or further, or a person enrolled or completing in the period;
- train: distinct persons of the target group (their organisation's) who completed a run in the
  period, as the dashboard's "supervisors trained".
The trainer step does not matter for these goals. With a region, organisations count in their
own region and trained persons in the region of their run, as on the dashboard. Dates are
inclusive; a moment counts on its day in Europe/Amsterdam.

All of it is one query whatever the number of goals: each goal row gets a correlated subquery
that counts in the database, with the goal's own period."""

from dataclasses import dataclass

from django.db.models import Case, F, Func, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from dissemination.enums import CommunicationGoal, Stage
from dissemination.models import Goal, Organisation
from dissemination.queries.outreach_goals import goal_list

from .dashboard import completed_between, participant_enrolments, step_expression, step_of


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


def _count(queryset, field_name: str = "pk", *, distinct: bool = False) -> Coalesce:
    """The number of rows (or of distinct `field_name` values) of a correlated queryset, as a
    scalar subquery (COUNT without GROUP BY)."""
    template = "%(function)s(DISTINCT %(expressions)s)" if distinct else "%(function)s(%(expressions)s)"
    counted = queryset.order_by().annotate(n=Func(F(field_name), function="COUNT", template=template)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def reached_expression(*, region=None) -> Case:
    """The number reached for a Goal row (annotate a Goal queryset with it). `region` limits the
    count to organisations in that region and to persons trained in a run of that region."""
    # The goal's period as seen from the subqueries of each organisation (two levels below the goal).
    steps = step_expression(OuterRef(OuterRef("starts_on")), OuterRef(OuterRef("ends_on")))
    organisations = Organisation.objects.filter(target_group=OuterRef("target_group"))
    if region is not None:
        organisations = organisations.filter(region=region)
    organisations = organisations.annotate(step=steps)
    trained = participant_enrolments(target_group=OuterRef("target_group"), region=region).filter(
        completed_between(OuterRef("starts_on"), OuterRef("ends_on"))
    )
    return Case(
        When(
            goal=CommunicationGoal.INFORM,
            then=_count(organisations.filter(step__gte=step_of(Stage.INFORMED))),
        ),
        When(
            goal=CommunicationGoal.CONVINCE,
            then=_count(organisations.filter(step__gte=step_of(Stage.CONVINCED))),
        ),
        When(goal=CommunicationGoal.TRAIN, then=_count(trained, "person", distinct=True)),
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
