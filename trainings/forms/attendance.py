"""Forms for attendance, catch-ups and revoking a certificate."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..models import Attendance, Enrolment

PRESENT, ABSENT = "present", "absent"
PRIVACY_HELP = _("Never write anything about an employee's health or disability here.")


class AttendanceSheetForm(forms.Form):
    """One present/absent choice and one reason per participant on the list.

    Fields are made per row: `present_<enrolment id>` and `reason_<enrolment id>`. A row left
    open is not registered. A reason typed before choosing "present" is dropped (the page hides
    the reason for someone present)."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        reason_length = Attendance._meta.get_field("absence_reason").max_length
        for row in rows:
            enrolment, attendance = row["enrolment"], row["attendance"]
            key = str(enrolment.pk)
            initial_present = None
            if attendance is not None:
                initial_present = PRESENT if attendance.present else ABSENT
            self.fields[f"present_{key}"] = forms.ChoiceField(
                label=str(enrolment.person),
                choices=[(PRESENT, _("Present")), (ABSENT, _("Absent"))],
                widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
                required=False,
                initial=initial_present,
            )
            self.fields[f"reason_{key}"] = forms.CharField(
                label=_("Reason for absence"),
                max_length=reason_length,
                required=False,
                initial=attendance.absence_reason if attendance is not None else "",
                help_text=PRIVACY_HELP,
            )

    def bound_rows(self):
        """The rows with their bound fields, for the template."""
        return [
            {
                **row,
                "present": self[f"present_{row['enrolment'].pk}"],
                "reason": self[f"reason_{row['enrolment'].pk}"],
            }
            for row in self.rows
        ]

    def entries(self) -> list[tuple[Enrolment, bool, str]]:
        """(enrolment, present, absence_reason) for every row with a choice."""
        entries = []
        for row in self.rows:
            key = str(row["enrolment"].pk)
            choice = self.cleaned_data.get(f"present_{key}")
            if not choice:
                continue
            present = choice == PRESENT
            entries.append((row["enrolment"], present, "" if present else self.cleaned_data.get(f"reason_{key}", "")))
        return entries


class CatchUpSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), max_length=100, required=False)


class CatchUpForm(forms.Form):
    """The participant (of another run) who catches up this meeting."""

    enrolment = forms.ModelChoiceField(
        label=_("Participant"),
        queryset=Enrolment.objects.none(),
        error_messages={"invalid_choice": _("This participant cannot catch up this meeting.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = candidates


class CertificateRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy(
            "{} {}", _("Kept with the certificate; not shown on the public verification page."), PRIVACY_HELP
        ),
    )
