"""Read paths of the goal pages. A goal has no relations, so the list is one query whatever the
number of goals; the progress of each goal is computed in mentorwijs/overview/goals.py, which may
read the trainings app too."""

from itertools import groupby

from django.db.models import Case, IntegerField, Value, When

from ..enums import CommunicationGoal, TargetGroup
from ..models import Goal


def _rank(field: str, choices) -> Case:
    """The position of a choice in its list (funnel order for goals), for ORDER BY."""
    return Case(
        *(When(**{field: value}, then=Value(rank)) for rank, value in enumerate(choices.values)),
        output_field=IntegerField(),
    )


def goal_list():
    """All goals, the latest period first; within a period in funnel order (inform, convince,
    train), then by target group in the order of the plan."""
    return Goal.objects.alias(
        goal_rank=_rank("goal", CommunicationGoal), group_rank=_rank("target_group", TargetGroup)
    ).order_by("-starts_on", "-ends_on", "goal_rank", "group_rank", "pk")


def goals_by_period(goals) -> list[dict]:
    """The goals (ordered by period, as goal_list) in groups per period:
    [{"starts_on", "ends_on", "goals": [...]}, ...]. Groups rows already read; counts nothing."""
    return [
        {"starts_on": starts_on, "ends_on": ends_on, "goals": list(rows)}
        for (starts_on, ends_on), rows in groupby(goals, key=lambda goal: (goal.starts_on, goal.ends_on))
    ]
