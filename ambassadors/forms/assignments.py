"""Forms of the assignments pages: staff assign trainers and decide offers; trainers offer."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trainings.enums import AssignmentRole

from ..queries.assignments import trainers_to_choose

PRIVACY_HELP = _("Never write anything about an employee's health or disability here.")


class AssignmentForm(forms.Form):
    """Staff add a trainer to a run. Only users with the trainer role who do not give it yet. For a
    run that has begun, staff may record history (services.assignments.assignment_add)."""

    trainer = forms.ModelChoiceField(label=_("Trainer"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=AssignmentRole.choices, initial=AssignmentRole.LEAD)

    # Only for a run with a meeting that has begun (the page's meetings: `training.scheduled_meetings`).
    as_history = forms.BooleanField(
        label=_("Record history: this trainer gave meetings that have already taken place"),
        required=False,
        help_text=_(
            "For meetings that have taken place the certification is not checked (it may be newer); "
            "for the meetings ahead it is. Kept with the assignment, with your name."
        ),
    )

    def __init__(self, *args, training, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = trainers_to_choose(training=training)
        now = timezone.now()
        if not any(meeting.starts_at <= now for meeting in getattr(training, "scheduled_meetings", [])):
            del self.fields["as_history"]


class OfferForm(forms.Form):
    """A trainer offers to give a run; a run that has a lead takes no lead offers."""

    role = forms.ChoiceField(label=_("As"), choices=AssignmentRole.choices)
    note = forms.CharField(
        label=_("Note for staff"),
        max_length=500,
        required=False,
        help_text=PRIVACY_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, lead_wanted: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not lead_wanted:
            self.fields["role"].choices = [
                (value, label) for value, label in AssignmentRole.choices if value != AssignmentRole.LEAD
            ]
            self.fields["role"].initial = AssignmentRole.CO_TRAINER


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the trainer sees it)"), max_length=500, help_text=PRIVACY_HELP, strip=True
    )
