"""Forms of the outreach log: logging a contact (fast on a phone), changing it, handing it over."""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role
from mentorwijs.forms import DateInput, parse_id

from ..enums import KeyMessage, MaterialShared, OutreachChannel, Stage, TargetGroup
from ..models import Person, Region
from ..queries.relations import organisation_people, people_visible_to, picked_organisation


class ContactFields(forms.Form):
    """What the log and edit forms share."""

    date = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DateInput())
    channel = forms.ChoiceField(label=_("Channel"), choices=OutreachChannel.choices)
    stage = forms.ChoiceField(
        label=_("Stage reached"),
        choices=Stage.choices,
        initial=Stage.INFORMED,
    )
    materials = forms.MultipleChoiceField(
        label=_("Materials shared"),
        choices=MaterialShared.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    key_messages = forms.MultipleChoiceField(
        label=_("Key message elements conveyed"),
        choices=KeyMessage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Never write anything about an employee's health or disability here."),
    )
    follow_up_on = forms.DateField(label=_("Follow up on"), required=False, widget=DateInput())

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {field: data[field] for field in ContactFields.base_fields}


class ContactLogForm(ContactFields):
    """A new contact. The organisation is picked from a search (the script fills the hidden id);
    without a pick, the city, kind and region of a new organisation are asked. The person is
    optional: picked (hidden id, e.g. from a link) or typed in."""

    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("Type at least two letters and choose, or fill in a new one."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    organisation = forms.CharField(required=False, widget=forms.HiddenInput)
    organisation_city = forms.CharField(label=_("City"), max_length=100, required=False)
    organisation_target_group = forms.ChoiceField(
        label=_("Kind of organisation"), choices=[("", "---------"), *TargetGroup.choices], required=False
    )
    organisation_region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)
    person = forms.CharField(required=False, widget=forms.HiddenInput)
    person_first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    person_last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    person_email = forms.EmailField(label=_("Email address"), required=False)

    field_order = [
        "organisation_name",
        "organisation",
        "organisation_city",
        "organisation_target_group",
        "organisation_region",
        "date",
        "channel",
        "stage",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        widget = self.fields["organisation_name"].widget
        widget.attrs["data-organisation-search"] = reverse("dissemination:organisation_search")
        widget.attrs["data-organisation-target"] = "organisation"

    def clean_person(self):
        # Only someone this user may see (the service checks again); an empty or unreadable id is none.
        value = self.cleaned_data["person"].strip()
        if not parse_id(value):
            return None
        person = people_visible_to(self.user).filter(pk=value).first()
        if person is None:
            raise forms.ValidationError(_("Choose one of your own contact persons."))
        return person

    def clean(self):
        cleaned = super().clean()
        # A name changed after picking makes a new organisation.
        cleaned["organisation"] = picked_organisation(cleaned.get("organisation"), cleaned.get("organisation_name"))
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        organisation = data.get("organisation")
        return {
            **super().service_kwargs(),
            "organisation": organisation,
            "new_organisation": None
            if organisation is not None
            else {
                "name": data["organisation_name"],
                "city": data["organisation_city"],
                "target_group": data["organisation_target_group"],
                "region": data["organisation_region"],
            },
            "person": data.get("person"),
            "new_person": {
                "first_name": data["person_first_name"],
                "last_name": data["person_last_name"],
                "email": data["person_email"],
            },
        }


class ContactEditForm(ContactFields):
    """An existing contact; the organisation stays, the person is one of its people."""

    person = forms.ModelChoiceField(label=_("Contact person"), queryset=Person.objects.none(), required=False)
    follow_up_done = forms.BooleanField(label=_("Follow-up done"), required=False)

    def __init__(self, *args, contact, user, **kwargs):
        kwargs.setdefault(
            "initial",
            {field: getattr(contact, field) for field in (*ContactFields.base_fields, "person", "follow_up_done")},
        )
        super().__init__(*args, **kwargs)
        # The organisation's people this user may see (the contact's own person is one of them).
        self.fields["person"].queryset = organisation_people(user, contact.organisation)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {**super().service_kwargs(), "person": data["person"], "follow_up_done": data["follow_up_done"]}


class ContactReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("Hand over to"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = User.objects.filter(groups__name=Role.AMBASSADOR, is_active=True).order_by(
            "first_name", "last_name", "pk"
        )
