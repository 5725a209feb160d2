"""Forms of the scheduling pages (staff). Other areas keep their forms in their own modules."""

from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dissemination.queries.relations import organisation_chosen
from mentorwijs.forms import DateInput, TimeInput, plausible_date

from ..enums import ActiveComponent, TrainingStatus
from ..models import Location, Meeting, Training


def aware(day, moment):
    return timezone.make_aware(datetime.combine(day, moment))


class TrainingForm(forms.ModelForm):
    """Fields of a run that staff edit; the create form adds the first meeting.

    The host organisation is searched by name (a small script fills the hidden id; there are
    thousands of organisations, too many for a drop-down). Without the script a name that matches
    one organisation exactly is taken."""

    host_organisation_name = forms.CharField(
        label=_("Host organisation"),
        max_length=200,
        required=False,
        help_text=_("Type at least two letters and choose from the list; leave empty when there is none."),
    )
    host_organisation = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Training
        fields = ["title", "variant", "region", "host_organisation", "capacity", "local_adaptations"]
        widgets = {"local_adaptations": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "local_adaptations": format_lazy(
                "{} {}",
                _("How this run is adapted to the local situation (maatwerk)."),
                _("Never write anything about an employee's health or disability here."),
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_widget = self.fields["host_organisation_name"].widget
        name_widget.attrs["data-organisation-search"] = reverse("dissemination:organisation_search")
        name_widget.attrs["data-organisation-target"] = "host_organisation"
        name_widget.attrs["autocomplete"] = "off"
        host = self.instance.host_organisation if self.instance.pk else None
        if host is not None:
            self.initial.update(host_organisation=host.pk, host_organisation_name=host.name)

    def clean(self):
        cleaned = super().clean()
        try:
            host = organisation_chosen(cleaned.get("host_organisation"), cleaned.get("host_organisation_name"))
        except ValidationError as error:
            self.add_error("host_organisation_name", error)
            host = None
        cleaned["host_organisation"] = host
        cleaned.pop("host_organisation_name", None)
        return cleaned


class TrainingCreateForm(TrainingForm):
    first_meeting_date = forms.DateField(
        label=_("Date of the first meeting"), widget=DateInput(), validators=[plausible_date]
    )
    first_meeting_start = forms.TimeField(label=_("Starts at"), initial=time(18, 0), widget=TimeInput())
    first_meeting_end = forms.TimeField(label=_("Ends at"), initial=time(21, 0), widget=TimeInput())
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.filter(archived_at__isnull=True).select_related("region"),
        help_text=_("All meetings are proposed here, one week apart; you can change them afterwards."),
    )

    # Service error fields -> form fields.
    service_fields = {"first_meeting_starts_at": "first_meeting_start", "first_meeting_ends_at": "first_meeting_end"}

    def clean(self):
        cleaned = super().clean()
        day, start, end = (
            cleaned.get(name) for name in ("first_meeting_date", "first_meeting_start", "first_meeting_end")
        )
        if day and start and end:
            cleaned["first_meeting_starts_at"] = aware(day, start)
            cleaned["first_meeting_ends_at"] = aware(day, end)
            if end <= start:
                self.add_error("first_meeting_end", _("The meeting must end after it starts."))
        return cleaned


class TrainingUpdateForm(TrainingForm):
    """Trainers are not chosen here: the ambassadors app's assignments page checks their
    certification and calendar."""

    class Meta(TrainingForm.Meta):
        fields = ["title", "variant", "region", "host_organisation", "capacity", "status", "local_adaptations"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A run is cancelled on its own page (who is told, the reason, an undo): not here. A cancelled
        # run keeps its status among the choices, and may be opened again.
        if self.instance.status != TrainingStatus.CANCELLED:
            self.fields["status"].choices = [
                choice for choice in self.fields["status"].choices if choice[0] != TrainingStatus.CANCELLED
            ]
            self.fields["status"].help_text = _('To cancel the run, use "Cancel this run" on its page.')


class MeetingForm(forms.ModelForm):
    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[plausible_date])
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput())
    components = forms.MultipleChoiceField(
        label=_("Active components"),
        choices=ActiveComponent.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    service_fields = {"starts_at": "start_time", "ends_at": "end_time"}

    class Meta:
        model = Meeting
        fields = ["number", "date", "start_time", "end_time", "location", "components", "meal_served"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Archived locations are not offered, except the one this meeting is held at already.
        self.fields["location"].queryset = Location.objects.filter(
            Q(archived_at__isnull=True) | Q(pk=self.instance.location_id)
        ).select_related("region")
        self.fields["number"].widget.attrs["min"] = 1
        if self.instance.pk:
            starts_at = timezone.localtime(self.instance.starts_at)
            self.initial.setdefault("date", starts_at.date())
            self.initial.setdefault("start_time", starts_at.time())
            self.initial.setdefault("end_time", timezone.localtime(self.instance.ends_at).time())

    def clean(self):
        cleaned = super().clean()
        day, start, end = (cleaned.get(name) for name in ("date", "start_time", "end_time"))
        if day and start and end:
            if end <= start:
                self.add_error("end_time", _("The meeting must end after it starts."))
            self.instance.starts_at = aware(day, start)
            self.instance.ends_at = aware(day, end)
        return cleaned


class BaseMeetingFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, training: Training, **kwargs):
        self.training = training
        meetings = list(training.meetings.select_related("location").order_by("number"))
        kwargs.setdefault("queryset", training.meetings.select_related("location").order_by("number"))
        if meetings:
            last = meetings[-1]
            # No date: the extra form is only saved once someone picks one.
            kwargs.setdefault(
                "initial",
                [
                    {
                        "number": last.number + 1,
                        "start_time": timezone.localtime(last.starts_at).time(),
                        "end_time": timezone.localtime(last.ends_at).time(),
                        "location": last.location_id,
                    }
                ],
            )
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.training = self.training
        return form


MeetingFormSet = forms.modelformset_factory(Meeting, form=MeetingForm, formset=BaseMeetingFormSet, extra=1)
