"""Forms of the certification pages: the request, the holder's added information and the four
review decisions. The rules live in ambassadors.services.certification; refusals come back
through add_service_errors."""

import django_filters
from django import forms
from django.conf import settings
from django.db.models.functions import Lower
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from mentorwijs.forms import DateInput, add_service_errors, plausible_date
from mentorwijs.sorting import SortOrder, in_choice_order

from ..enums import CertificationStatus, Level
from ..evidence import MAX_FILES
from ..models import Certification
from .assignments import PRIVACY_HELP

__all__ = [
    "AddInfoForm",
    "ApproveForm",
    "AskInfoForm",
    "CertificationRequestForm",
    "CertificationReviewFilter",
    "RejectForm",
    "RevokeForm",
    "add_service_errors",
]


class CertificationReviewFilter(django_filters.FilterSet):
    """The column order of the open requests; the list has no filters."""

    sort = SortOrder(
        columns={
            "trainer": (_("Trainer"), Lower("holder__first_name"), Lower("holder__last_name")),
            "level": (_("Level"), in_choice_order("level", Level)),
            "status": (_("Status"), in_choice_order("status", CertificationStatus)),
            "requested": (_("Requested on"), "requested_at"),
            "files": (_("Files"), "evidence_count"),
        },
        default="requested",  # queries.certification.open_requests: the oldest first
    )

    class Meta:
        model = Certification
        fields = ["sort"]


ACCEPTED_FILES = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django docs, "Uploading multiple files"); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_clean(item, initial) for item in data if item]
        return [single_clean(data, initial)] if data else []


def evidence_field(required=False):
    return MultipleFileField(
        label=_("Evidence"),
        required=required,
        help_text=format_lazy(
            _("PDF, JPG or PNG, at most {size} MB each and {count} at a time."),
            size=settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
            count=MAX_FILES,
        ),
    )


def note_field(label, required=False, help_text=""):
    """A free-text note; its help text always ends with the privacy warning."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy("{} {}", help_text, PRIVACY_HELP) if help_text else PRIVACY_HELP,
    )


class CertificationRequestForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    training = forms.ModelChoiceField(
        label=_("Train-the-trainer run followed"),
        queryset=None,
        required=False,
        empty_label=_("(none or not in the list)"),
    )
    note = note_field(_("Note"), help_text=_("What the reviewer should know, for example where you gave runs."))
    files = evidence_field()

    def __init__(self, *args, runs, renews=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training"].queryset = runs
        if renews is not None:
            # A renewal keeps the level of the certification it renews.
            self.fields["level"].initial = renews.level
            self.fields["level"].disabled = True


class AddInfoForm(forms.Form):
    note = note_field(_("Your answer"))
    files = evidence_field()


class ApproveForm(forms.Form):
    certified_by = forms.ModelChoiceField(
        label=_("Certified by"),
        queryset=None,
        required=False,
        empty_label=_("(me)"),
        help_text=_("The master trainer who certifies this trainer. Leave empty when that is you."),
    )
    original = forms.BooleanField(
        label=_("Original trainer (nobody certifies them)"),
        required=False,
        help_text=_("Only for the founding trainers at the start of the lineage."),
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: today, or for a renewal the end of the current one."),
        validators=[plausible_date],
    )
    valid_until = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DateInput(),
        help_text=_("The first day the certification is no longer valid; after today. Empty: the usual period."),
        validators=[plausible_date],
    )
    override_rules = forms.BooleanField(
        label=_("Approve although not every renewal rule is met"),
        required=False,
        help_text=_("The history records that you overrode the renewal rules."),
    )
    note = note_field(_("Note"))

    def __init__(self, *args, certifiers, reviewer_certifies, may_name_original, is_renewal=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certified_by"].queryset = certifiers
        if not reviewer_certifies:
            self.fields["certified_by"].empty_label = _("(choose)")
            self.fields["certified_by"].help_text = _(
                "The master trainer who certifies this trainer (with a master-trainer certification valid today)."
            )
            if not may_name_original and not certifiers.exists():
                # A fresh install: the lineage has no root yet, and only staff can make one.
                self.fields["certified_by"].help_text = _(
                    "Nobody holds a master-trainer certification valid today, so nobody can certify yet. "
                    "Ask for your own master-trainer certification: Werkzaak staff approve the first master "
                    "trainers as original trainers."
                )
        if not may_name_original:
            del self.fields["original"]
        if not is_renewal:
            del self.fields["override_rules"]


class AskInfoForm(forms.Form):
    note = note_field(_("What do you need from the trainer?"), required=True)


class RejectForm(forms.Form):
    reason = note_field(_("Reason for the rejection"), required=True)


class RevokeForm(forms.Form):
    reason = note_field(_("Reason for revoking"), required=True)
