"""Forms of the staff pages of renewal rules and refresher meetings. The rules live in
services/renewal_rules.py; these forms collect the input and the views show refusals by the field."""

import django_filters
from django import forms
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from mentorwijs.forms import DateInput, ModelMultipleChoiceField
from mentorwijs.sorting import SortOrder

from ..enums import Level, RuleKind
from ..models import RefresherMeeting, RenewalRule
from ..queries.renewal import refresher_attendee_choices


class RefresherFilter(django_filters.FilterSet):
    """The column order of the refresher meetings; the list has no filters."""

    sort = SortOrder(
        columns={
            "held_on": (_("Held on"), "held_on"),
            "title": (_("Title"), Lower("title")),
            "attended": (_("Attended"), "attendee_count"),
        },
        default="-held_on",  # queries.renewal.refresher_list: the latest first
    )

    class Meta:
        model = RefresherMeeting
        fields = ["sort"]


class RenewalRuleForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    kind = forms.ChoiceField(label=_("What counts"), choices=RuleKind.choices)
    minimum = forms.IntegerField(
        label=_("At least"),
        min_value=1,
        max_value=100,
        help_text=_("How many within the validity period of the certification."),
    )
    minimum_score = forms.DecimalField(
        label=_("Minimum average score"),
        min_value=0,
        max_value=4,
        max_digits=3,
        decimal_places=2,
        required=False,
        help_text=_("Only for fidelity reviews: a review counts when its average (0 to 4) reaches this."),
    )

    def __init__(self, *args, rule: RenewalRule, **kwargs):
        if rule.pk:
            kwargs.setdefault(
                "initial",
                {"level": rule.level, "kind": rule.kind, "minimum": rule.minimum, "minimum_score": rule.minimum_score},
            )
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in ("level", "kind", "minimum", "minimum_score")}


class AttendeeField(ModelMultipleChoiceField):
    """Trainers as checkboxes, by name with their address (two people may share a name)."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else obj.email


class RefresherMeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    attendees = AttendeeField(
        label=_("Attended"),
        queryset=None,
        required=False,
        help_text=_("Trainers and master trainers. Attending counts toward the renewal of their certification."),
    )

    def __init__(self, *args, meeting: RefresherMeeting, **kwargs):
        if meeting.pk:
            kwargs.setdefault(
                "initial",
                {
                    "title": meeting.title,
                    "held_on": meeting.held_on,
                    "attendees": [user.pk for user in meeting.attendees.all()],
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = refresher_attendee_choices(meeting=meeting)

    def service_kwargs(self) -> dict:
        return {field: self.cleaned_data[field] for field in ("title", "held_on", "attendees")}
