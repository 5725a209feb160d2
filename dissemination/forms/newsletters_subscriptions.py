"""Forms of the newsletter pages: the public sign-up, the preference page, the staff filter and import."""

from django import forms
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mentorwijs.forms import ModelMultipleChoiceField

from ..enums import SubscriberStatus, TargetGroup
from ..models import MailingList, Region
from ..queries.newsletters import sign_up_lists


class ListChoiceField(ModelMultipleChoiceField):
    """Lists as checkboxes, each with its description under its name (both escaped)."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        if not obj.description:
            return obj.name
        return format_html('{}<span class="d-block small text-body-secondary">{}</span>', obj.name, obj.description)


class SignUpForm(forms.Form):
    """The public sign-up. The lists are the public ones that are not archived; the view shows no
    form when there is none. When there is exactly one it is chosen already."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Surname"), max_length=100, required=False)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    target_group = forms.ChoiceField(
        label=_("Which describes you best?"), choices=[("", "—"), *TargetGroup.choices], required=False
    )
    region = forms.ModelChoiceField(
        label=_("Your region"),
        queryset=Region.objects.all(),
        required=False,
        empty_label=_("I don't know / all of the Netherlands"),
        help_text=_(
            "The labour-market region where you work. Some newsletters are about one region: "
            "choose yours to receive them too."
        ),
    )
    lists = ListChoiceField(
        label=_("Newsletters you want to receive"),
        queryset=MailingList.objects.none(),
        error_messages={"required": _("Choose at least one newsletter.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["lists"]
        field.queryset = sign_up_lists()
        self.offered = list(field.queryset)
        if len(self.offered) == 1:
            field.initial = [self.offered[0].pk]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {name: data[name] for name in ("email", "first_name", "organisation_name", "target_group", "region")}
        kwargs["name"] = " ".join(f"{data['first_name']} {data['last_name']}".split())
        kwargs["lists"] = data["lists"]
        return kwargs


class PreferencesForm(forms.Form):
    """The lists to follow (none at all means leaving every newsletter), and the language and region
    the newsletters are sent for. The "leave all" button posts no language: then those stay as they are."""

    lists = ListChoiceField(
        label=_("Newsletters you receive"),
        queryset=MailingList.objects.none(),
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language of the newsletter"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("A newsletter that has no English version comes in Dutch."),
    )
    region = forms.ModelChoiceField(
        label=_("Your region"),
        queryset=Region.objects.all(),
        required=False,
        empty_label=_("I don't know / all of the Netherlands"),
        help_text=_("Some newsletters are about one region: choose yours to receive them too."),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = choices

    def settings_kwargs(self) -> dict | None:
        """The language and region to save, or None when the form did not carry them (leave all)."""
        if not self.cleaned_data.get("language"):
            return None
        return {"language": self.cleaned_data["language"], "region": self.cleaned_data["region"]}


class SubscriberFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *SubscriberStatus.choices], required=False
    )
    mailing_list = forms.ModelChoiceField(
        label=_("List"), queryset=MailingList.objects.all(), required=False, empty_label=_("All lists")
    )
    target_group = forms.ChoiceField(
        label=_("Target group"), choices=[("", _("All target groups")), *TargetGroup.choices], required=False
    )
    q = forms.CharField(
        label=_("Search by email address or name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class SubscriberImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"), help_text=_("At most 5000 rows."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
