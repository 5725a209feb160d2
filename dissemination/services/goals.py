"""The dissemination plan's goals: a communication goal for one target group in a period, with a
target number. Staff maintain them; their progress is computed in mentorwijs/overview/goals.py.

The rules: one goal per communication goal, target group and period (the same start and end); the
end is not before the start; the target is at least 1. The database constraints back them up when
two requests race."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ..models import Goal

GOAL_TAKEN = _("There already is a goal like this for this target group in this period.")
END_BEFORE_START = _("The end cannot be before the start.")

GOAL_FIELDS = ("goal", "target_group", "starts_on", "ends_on", "target", "note")


def _taken(goal: Goal) -> bool:
    return (
        Goal.objects.filter(
            goal=goal.goal, target_group=goal.target_group, starts_on=goal.starts_on, ends_on=goal.ends_on
        )
        .exclude(pk=goal.pk)
        .exists()
    )


@transaction.atomic
def goal_save(*, goal: Goal, data: dict) -> Goal:
    """Set `data` (keys from GOAL_FIELDS) on `goal` (new or existing) and save it.

    Refuses (ValidationError by field, nothing saved) an unknown choice, a target below 1, an end
    before the start ("ends_on") and a second goal with the same communication goal, target group
    and period ("target_group"). Side effects: one Goal row inserted or updated."""
    for field, value in data.items():
        if field not in GOAL_FIELDS:
            raise ValueError(f"not a goal field: {field}")
        setattr(goal, field, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list] = {}
    try:
        goal.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.error_dict)
    if goal.starts_on and goal.ends_on and "ends_on" not in errors and goal.ends_on < goal.starts_on:
        errors["ends_on"] = [ValidationError(END_BEFORE_START, code="end_before_start")]
    if not errors and _taken(goal):
        errors["target_group"] = [ValidationError(GOAL_TAKEN, code="goal_taken")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            goal.save()
    except IntegrityError as error:  # the same goal saved at the same moment
        raise ValidationError({"target_group": ValidationError(GOAL_TAKEN, code="goal_taken")}) from error
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal) -> None:
    """Delete a goal. Side effects: the Goal row is gone; nothing else refers to it (its progress
    is always computed, never stored)."""
    Goal.objects.filter(pk=goal.pk).delete()
