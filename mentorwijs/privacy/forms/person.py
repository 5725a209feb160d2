from django import forms
from django.utils.translation import gettext_lazy as _


class PersonEraseForm(forms.Form):
    """Confirms an erasure; the reason is kept in the ErasureRecord (never the person's name)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why this person is erased, for example: request by the person on a given date. "
            "Do not write the person's name or anything about their health."
        ),
    )
