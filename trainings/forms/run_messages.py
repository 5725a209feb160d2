"""Forms of a run's mail: a message to its participants, and the reason for cancelling it."""

from django import forms
from django.utils import formats, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..queries.scheduling import message_meetings

NO_HEALTH = _("Never write anything about an employee's health or disability here.")


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meeting):
        starts_at = timezone.localtime(meeting.starts_at)
        return _("Meeting %(number)s: %(day)s, %(time)s, %(location)s") % {
            "number": meeting.number,
            "day": formats.date_format(starts_at, "SHORT_DAY_FORMAT"),
            "time": formats.time_format(starts_at, "TIME_FORMAT"),
            "location": meeting.location.name,
        }


class RunMessageForm(forms.Form):
    """Subject and text of a message to the participants, about the whole run or one meeting (the
    run's meetings that have not ended)."""

    meeting = MeetingChoiceField(
        label=_("About"),
        queryset=None,
        required=False,
        empty_label=_("The whole run"),
        help_text=_("A meeting's date and place are added to the message."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=format_lazy(
            "{} {}", _("Each participant gets it with their own name above it and yours below it."), NO_HEALTH
        ),
    )

    def __init__(self, *args, training, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = message_meetings(training=training).select_related("location")


class TrainingCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy("{} {}", _("The notices to the participants and trainers give this reason."), NO_HEALTH),
    )
