import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from mentorwijs.forms import DateInput
from mentorwijs.sorting import SortOrder

from ..enums import NewsletterStatus
from ..models import MailEvent, Newsletter
from ..queries.newsletters_mail_events import KIND_FILTER_CHOICES


class MailEventFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *KIND_FILTER_CHOICES], required=False)
    newsletter = forms.ModelChoiceField(
        label=_("Newsletter"),
        queryset=Newsletter.objects.exclude(status=NewsletterStatus.DRAFT).only("pk", "subject").order_by("-pk"),
        required=False,
        empty_label=_("All mail"),
    )
    address = forms.CharField(
        label=_("Email address"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Up to and including"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("Choose a day on or after the first day."))
        return data


class MailEventSort(django_filters.FilterSet):
    """The column order of the mail events (its filters are MailEventFilterForm's). The rows are a
    UNION of dicts (queries.newsletters_mail_events.mail_events): columns are sorted by name, and the
    row's source and key break ties."""

    sort = SortOrder(
        columns={
            "when": (_("When"), "ev_at"),
            "kind": (_("Kind"), "ev_kind"),
            "email": (_("Email address"), "ev_email"),
        },
        default="-when",
        tiebreak=("ev_pk", "ev_source"),
    )

    class Meta:
        model = MailEvent
        fields = ["sort"]
