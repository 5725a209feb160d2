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
        help_text=_(
            "Start with your first paragraph: the greeting above and the sign-off below are added for you. "
            "An Enter starts a new line, an empty line a new paragraph. "
            "Markdown: **bold**, *italic*, [link](https://…), lists with - or 1."
        ),
    )
    subject_en = forms.CharField(label=_("Subject in English"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("Text in English"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text=_(
            "Optional. Subscribers who chose English get this version; without it everyone gets the Dutch one. "
            "The greeting and sign-off are added in English."
        ),
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
                    "subject_en": newsletter.subject_en,
                    "body_en": newsletter.body_en,
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
        fields = ("subject", "body", "subject_en", "body_en", "lists", "target_groups", "regions")
        return {field: self.cleaned_data[field] for field in fields}


class PreviewForm(forms.Form):
    """What the live preview needs of the compose form."""

    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(required=False)
    subject_en = forms.CharField(max_length=200, required=False)
    body_en = forms.CharField(required=False)
    preview_language = forms.ChoiceField(choices=[("nl", "nl"), ("en", "en")], required=False)

    def version(self) -> tuple[str, str, str]:
        """(subject, body, language) of the version to show: the English one when asked for and written."""
        data = self.cleaned_data
        if data.get("preview_language") == "en" and data.get("body_en"):
            return data.get("subject_en", ""), data["body_en"], "en"
        return data.get("subject", ""), data.get("body", ""), "nl"


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
