from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..enums import ActiveComponent, EvaluationMoment, SelfEfficacyItem
from ..services.evaluation import ITEM_SCALE, REMARKS_MAX_LENGTH, SATISFACTION_SCALE


def _scale(label, scale):
    # Rendered by the template as a wrapping group of toggle buttons (Bootstrap btn-check).
    return forms.TypedChoiceField(
        label=label,
        choices=[(value, str(value)) for value in scale],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
    )


class EvaluationForm(forms.Form):
    """The questionnaire of one moment. Fields, all required except the remarks:
    satisfaction (after only, 1–10), self_efficacy_<SelfEfficacyItem> (1–5),
    usefulness_<ActiveComponent> (after only, 1–5) and remarks."""

    remarks = forms.CharField(
        label=_("Remarks"),
        required=False,
        max_length=REMARKS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy(
            "{} {}",
            _("Optional. Please leave out names: remarks are read anonymously for research."),
            _("Never write anything about an employee's health or disability here."),
        ),
    )

    def __init__(self, *args, moment: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.moment = moment
        fields = {}
        if moment == EvaluationMoment.AFTER:
            fields["satisfaction"] = _scale(
                _("How satisfied are you with the training, from 1 (not at all) to 10 (very)?"), SATISFACTION_SCALE
            )
        for item in SelfEfficacyItem:
            fields[f"self_efficacy_{item.value}"] = _scale(item.label, ITEM_SCALE)
        if moment == EvaluationMoment.AFTER:
            for component in ActiveComponent:
                fields[f"usefulness_{component.value}"] = _scale(component.label, ITEM_SCALE)
        fields["remarks"] = self.fields.pop("remarks")
        self.fields = fields

    def _group(self, prefix):
        return [self[name] for name in self.fields if name.startswith(prefix)]

    @property
    def satisfaction_fields(self):
        return self._group("satisfaction")

    @property
    def self_efficacy_fields(self):
        return self._group("self_efficacy_")

    @property
    def usefulness_fields(self):
        return self._group("usefulness_")

    @property
    def has_field_errors(self) -> bool:
        return any(name in self.fields for name in self.errors)

    def answers(self) -> dict:
        """The cleaned data as keyword arguments for evaluation_submit."""
        data = self.cleaned_data
        return {
            "satisfaction": data.get("satisfaction"),
            "self_efficacy": {item: data[f"self_efficacy_{item}"] for item in SelfEfficacyItem.values},
            "usefulness": {
                component: data[f"usefulness_{component}"]
                for component in ActiveComponent.values
                if self.moment == EvaluationMoment.AFTER
            },
            "remarks": data.get("remarks", ""),
        }
