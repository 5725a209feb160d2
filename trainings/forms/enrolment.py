"""Enrolment forms: the public one (with consent), the staff one, and moving to another run."""

from django import forms
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dissemination.enums import Channel, TargetGroup
from dissemination.queries.relations import picked_organisation

from ..enums import ENROLLABLE_STATUSES
from ..models import Training
from ..queries.enrolment import SEARCH_MIN_LETTERS
from ..services.enrolment import pickable_organisations


class EnrolmentForm(forms.Form):
    """Who enrols. The organisation is picked from a search (a small script fills the hidden id);
    without a pick, the name, city and kind of a new organisation are required.

    On the public pages (`staff=False`) the search and the hidden id know only the organisations
    the enrolment service takes (services.enrolment.pickable_organisations: the public ones and
    `host`, the host of the run whose enrolment link this is): an id of any other organisation
    counts as no pick, so posting ids tells nothing about the directory. Staff search and pick the
    whole directory."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    organisation_name = forms.CharField(
        label=_("Employer"),
        max_length=200,
        help_text=_("Type at least three letters and choose your organisation. Not in the list? Fill it in below."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # Filled by the search script; an unknown id counts as no pick (the new-organisation fields then apply).
    organisation = forms.CharField(required=False, widget=forms.HiddenInput)
    organisation_city = forms.CharField(label=_("City of the organisation"), max_length=100, required=False)
    organisation_target_group = forms.ChoiceField(
        label=_("Kind of organisation"), choices=[("", "---------"), *TargetGroup.choices], required=False
    )
    function = forms.CharField(label=_("Function"), max_length=150, required=False)
    source = forms.ChoiceField(
        label=_("How did you hear of Mentorwijs?"), choices=[("", "---------"), *Channel.choices], required=False
    )
    dietary_wishes = forms.CharField(
        label=_("Dietary wishes"),
        max_length=200,
        required=False,
        help_text=_(
            "Meetings often include a shared meal. Only what the kitchen needs to know, such as vegetarian "
            "or no nuts; no medical details. We remove it after the training."
        ),
    )
    consent = forms.BooleanField(label=_("I agree to the privacy statement."), required=True)
    # Staff only, for a run that has begun (`late`): kept on the enrolment and shown on the run's page.
    late_reason = forms.CharField(
        label=_("Why does this person join late?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=format_lazy(
            "{} {}",
            _("Shown on the run's participant list. For example: replaces a colleague who dropped out."),
            _("Never write anything about an employee's health or disability here."),
        ),
    )

    def __init__(self, *args, staff: bool = False, host=None, late: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff
        self.host = host
        if not (staff and late):
            del self.fields["late_reason"]
        self.fields["organisation_name"].widget.attrs["data-organisation-search"] = reverse(
            "dissemination:organisation_search" if staff else "trainings:organisation_search"
        )
        if not staff:
            self.fields["organisation_name"].widget.attrs["data-organisation-min-length"] = SEARCH_MIN_LETTERS
        if host is not None and not self.is_bound:
            self.initial.setdefault("organisation", host.pk)
            self.initial.setdefault("organisation_name", host.name)
        if not staff:
            self.fields["consent"].label = mark_safe(
                _('I agree to the <a href="%(url)s" target="_blank">privacy statement</a>.')
                % {"url": reverse("trainings:privacy")}
            )
        else:
            del self.fields["consent"]

    def clean(self):
        cleaned = super().clean()
        name = (cleaned.get("organisation_name") or "").strip()
        # A name changed after picking makes a new organisation.
        picked = cleaned.get("organisation")
        cleaned["organisation"] = organisation = picked_organisation(picked, name, among=self.pickable_organisations())
        if organisation is None and picked:
            # Not a pick (unknown, not public, or renamed after picking): shown again without it, so the
            # page asks for the new-organisation fields and looks the same whichever id was sent.
            self.data = self.data.copy()
            self.data[self.add_prefix("organisation")] = ""
        if organisation is None and name:
            for field in ("organisation_city", "organisation_target_group"):
                if not cleaned.get(field):
                    self.add_error(field, _("Fill this in for a new organisation."))
        return cleaned

    def pickable_organisations(self):
        if self.staff:
            return None  # the whole directory
        return pickable_organisations(host_id=self.host.pk if self.host is not None else None)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        organisation = data.get("organisation")
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "phone": data["phone"],
            "organisation": organisation,
            "new_organisation": None
            if organisation is not None
            else {
                "name": data["organisation_name"],
                "city": data["organisation_city"],
                "target_group": data["organisation_target_group"],
            },
            "function": data["function"],
            "source": data["source"],
            "dietary_wishes": data["dietary_wishes"],
            "consent": data.get("consent", False),
            "late_reason": data.get("late_reason", ""),
        }


class EnrolmentMoveForm(forms.Form):
    to_training = forms.ModelChoiceField(label=_("Move to training run"), queryset=Training.objects.none())

    def __init__(self, *args, enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_training"].queryset = (
            Training.objects.filter(status__in=ENROLLABLE_STATUSES)
            .exclude(pk=enrolment.training_id)
            .select_related("region")
            .order_by("region__name", "title")
        )
        self.fields["to_training"].label_from_instance = lambda training: f"{training.title} ({training.region})"


class PersonalEmailForm(forms.Form):
    """A participant changes their own email address on their personal page."""

    email = forms.EmailField(
        label=_("New email address"),
        help_text=_(
            "From now on we send the messages about your training here, with a new link to your personal page: "
            "the links in earlier mails stop working. Your previous address gets a notice."
        ),
    )
