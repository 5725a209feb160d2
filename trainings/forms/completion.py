"""The form of the completion rule page (staff)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CompletionRuleForm(forms.Form):
    """The number of meetings of one variant; the variant is in the page's address."""

    meetings_required = forms.IntegerField(label=_("Meetings required"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        most = settings.TRAINING_DEFAULT_MEETINGS
        self.fields["meetings_required"] = forms.IntegerField(
            label=_("Meetings required"),
            min_value=1,
            max_value=most,
            help_text=_(
                "Meetings of their own run a participant attends (or catches up in another run) to complete the "
                "training and get the certificate: at least 1, at most %(most)s (the meetings of a run)."
            )
            % {"most": most},
        )
