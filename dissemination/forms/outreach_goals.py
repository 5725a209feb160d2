"""The goal form. The rules (one goal per goal, target group and period; the end not before the
start) live in services/goals.py; this form only collects the input, and the view shows the
service's refusals next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorwijs.forms import DateInput

from ..enums import CommunicationGoal, TargetGroup
from ..models import Goal
from ..services.goals import GOAL_FIELDS


class GoalForm(forms.Form):
    goal = forms.ChoiceField(label=_("Communication goal"), choices=CommunicationGoal.choices)
    target_group = forms.ChoiceField(label=_("Target group"), choices=TargetGroup.choices)
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Up to and including"), widget=DateInput())
    target = forms.IntegerField(
        label=_("Target number"),
        min_value=1,
        help_text=_("Organisations informed or convinced, or supervisors trained, in this period."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, goal: Goal, **kwargs):
        if goal.pk:
            kwargs.setdefault("initial", {field: getattr(goal, field) for field in GOAL_FIELDS})
        super().__init__(*args, **kwargs)
        self.fields["target"].widget.attrs["inputmode"] = "numeric"

    def service_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in GOAL_FIELDS}
