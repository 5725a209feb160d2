"""Newsletter forms: compose (subject, Markdown body, audience) and schedule. The rules live in
services/newsletters.py; these forms collect input and the views show refusals next to the fields."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentorwijs.forms import DateTimeInput, ModelMultipleChoiceField

from ..enums import TargetGroup
from ..models import MailingList, Newsletter, Region


class NewsletterForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Markdown: **bold**, *italic*, [link](https://…), lists with - or 1."),
    )
    lists = ModelMultipleChoiceField(
        label=_("Lists"), queryset=MailingList.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Only these target groups"),
        choices=TargetGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: everyone on the lists."),
    )
    regions = ModelMultipleChoiceField(
        label=_("Only these regions"),
        queryset=Region.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every region."),
    )

    def __init__(self, *args, newsletter: Newsletter, **kwargs):
        if newsletter.pk:
            kwargs.setdefault(
                "initial",
                {
                    "subject": newsletter.subject,
                    "body": newsletter.body,
                    "lists": list(newsletter.lists.all()),
                    "target_groups": newsletter.target_groups,
                    "regions": list(newsletter.regions.all()),
                },
            )
        super().__init__(*args, **kwargs)
        # Archived lists are not offered, except those this draft has already.
        chosen = Q(pk__in=newsletter.lists.values("pk")) if newsletter.pk else Q(pk__in=[])
        self.fields["lists"].queryset = MailingList.objects.filter(Q(archived_at__isnull=True) | chosen)

    def service_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in ("subject", "body", "lists", "target_groups", "regions")}


class PreviewForm(forms.Form):
    """What the live preview needs of the compose form."""

    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(required=False)


class ScheduleForm(forms.Form):
    NOW, LATER = "now", "later"
    when = forms.ChoiceField(
        label=_("When"),
        choices=[(NOW, _("Send now")), (LATER, _("Send at a set time"))],
        initial=NOW,
        widget=forms.RadioSelect,
    )
    scheduled_at = forms.DateTimeField(label=_("Send at"), required=False, widget=DateTimeInput())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("when") == self.LATER and not cleaned.get("scheduled_at"):
            self.add_error("scheduled_at", _("Choose a date and time."))
        return cleaned

    def service_at(self):
        return self.cleaned_data["scheduled_at"] if self.cleaned_data["when"] == self.LATER else None


class MailingListForm(forms.Form):
    """A list's name, the description the sign-up form shows, and whether the sign-up form offers it."""

    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        help_text=_("Shown under the name on the public sign-up form."),
    )
    public = forms.BooleanField(
        label=_("On the public sign-up form"),
        required=False,
        help_text=_(
            "Without it the list is internal: nobody can sign up for it; subscribers come in through an import."
        ),
    )

    def __init__(self, *args, mailing_list: MailingList, **kwargs):
        if mailing_list.pk:
            kwargs.setdefault(
                "initial",
                {"name": mailing_list.name, "description": mailing_list.description, "public": mailing_list.public},
            )
        else:
            kwargs.setdefault("initial", {"public": True})
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in ("name", "description", "public")}
