import django_filters
from django import forms
from django.db.models.functions import Lower
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from mentorwijs.accounts.models import User
from mentorwijs.sorting import SortOrder
from trainings.enums import ActiveComponent

from ..enums import ChecklistItem
from ..services.fidelity import NOTES_MAX_LENGTH, SCORE_SCALE, score_field
from .assignments import PRIVACY_HELP


class FidelityTrainerSort(django_filters.FilterSet):
    """The column order of the heat map per trainer: by name, by reviewed runs, or by the mean score
    of one active component (ascending: the weakest first; trainers without a score last)."""

    sort = SortOrder(
        columns={
            "name": (_("Trainer"), Lower("last_name"), Lower("first_name")),
            "runs": (_("Reviewed runs"), "reviewed_runs"),
            **{component.value: (component.label, f"avg_{component.value}") for component in ActiveComponent},
        },
        default="name",  # queries.quality.fidelity_trainers
    )

    class Meta:
        model = User
        fields = ["sort"]


class FidelityReviewForm(forms.Form):
    """A fidelity review. Fields: score_<ActiveComponent> (0-4, all required), one checkbox per
    ChecklistItem (named by its code) and notes."""

    notes = forms.CharField(
        label=_("Notes and actions"),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy(
            "{} {}", _("What went well, what to improve, and what you will do about it."), PRIVACY_HELP
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for component in ActiveComponent:
            fields[score_field(component.value)] = forms.TypedChoiceField(
                label=component.label,
                choices=[(value, str(value)) for value in SCORE_SCALE],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
            )
        for item in ChecklistItem:
            fields[item.value] = forms.BooleanField(label=item.label, required=False)
        fields["notes"] = self.fields.pop("notes")
        self.fields = fields

    @classmethod
    def initial_from(cls, review, scores: dict[str, int]) -> dict:
        """Initial values from a stored review, so submitting again starts from what was sent."""
        if review is None:
            return {}
        initial = {score_field(component): score for component, score in scores.items()}
        initial.update({item: getattr(review, item) for item in ChecklistItem.values})
        initial["notes"] = review.notes
        return initial

    @property
    def score_fields(self):
        return [self[score_field(component)] for component in ActiveComponent.values]

    @property
    def checklist_fields(self):
        return [self[item] for item in ChecklistItem.values]

    def answers(self) -> dict:
        """Keyword arguments for fidelity_review_submit."""
        data = self.cleaned_data
        return {
            "scores": {component: data[score_field(component)] for component in ActiveComponent.values},
            "checklist": {item: data[item] for item in ChecklistItem.values},
            "notes": data["notes"],
        }
