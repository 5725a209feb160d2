"""Forms for organisations and persons. The duplicate rules live in services/relations.py; these forms
only collect the input and show the service's refusals next to the fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from localflavor.nl.forms import NLZipCodeField

from ..models import Organisation, Person
from ..queries.relations import organisation_chosen
from ..services.relations import EMAIL_LOCKED, person_email_may_change


class OrganisationForm(forms.ModelForm):
    kvk_number = forms.CharField(
        label=_("KvK number"),
        required=False,
        help_text=_("8 digits; leave empty when unknown."),
        validators=[RegexValidator(r"^\d{8}$", _("A KvK number has exactly 8 digits."))],
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    postcode = NLZipCodeField(
        label=_("Postcode"), required=False, help_text=_("A Dutch postcode, for example 4001 AB.")
    )
    save_anyway = forms.BooleanField(
        label=_("This is another organisation: save anyway"),
        required=False,
    )

    # Filled by the view when the service points out possible duplicates; the template lists them.
    similar: list = []
    kvk_owner = None

    class Meta:
        model = Organisation
        fields = ["name", "kvk_number", "target_group", "region", "postcode", "city", "website"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.similar = []
        self.fields["kvk_number"].widget.attrs.update(inputmode="numeric", pattern=r"\d{8}", maxlength="8")

    def _get_validation_exclusions(self):
        # The KvK number's uniqueness (a model constraint) is the service's rule, with a clearer
        # message; its format is checked by the form field.
        return super()._get_validation_exclusions() | {"kvk_number"}

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class PersonForm(forms.ModelForm):
    """The organisation is searched by name (a small script fills the hidden id, as on the run form);
    without the script a name that matches one organisation exactly is taken."""

    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("Type at least two letters and choose from the list; leave empty when there is none."),
    )
    organisation = forms.CharField(required=False, widget=forms.HiddenInput)

    # Filled by the view when the email address belongs to another person (whom the user may see,
    # else only email_owner_hidden).
    email_owner = None
    email_owner_hidden = False

    class Meta:
        model = Person
        fields = ["first_name", "last_name", "email", "phone", "function"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The address that mail goes to is shown, not changed, by those who may not change it.
        if not person_email_may_change(person=self.instance, by=user):
            self.fields["email"].disabled = True
            self.fields["email"].help_text = EMAIL_LOCKED
        widget = self.fields["organisation_name"].widget
        widget.attrs["data-organisation-search"] = reverse("dissemination:organisation_search")
        widget.attrs["data-organisation-target"] = "organisation"
        widget.attrs["autocomplete"] = "off"
        organisation = self.instance.organisation if self.instance.pk else self.initial.get("organisation")
        if isinstance(organisation, Organisation):
            self.initial.update(organisation=organisation.pk, organisation_name=organisation.name)
        self.order_fields(["first_name", "last_name", "email", "phone", "function", "organisation_name"])

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["organisation"] = organisation_chosen(cleaned.get("organisation"), cleaned.get("organisation_name"))
        except ValidationError as error:
            self.add_error("organisation_name", error)
            cleaned["organisation"] = None
        return cleaned

    def _get_validation_exclusions(self):
        # The email address's uniqueness (a model constraint) is the service's rule; its format is
        # checked by the form field.
        return super()._get_validation_exclusions() | {"email"}

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        data["organisation"] = self.cleaned_data["organisation"]
        return data


class OrganisationImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8, comma-separated) or Excel (.xlsx) with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("Upload a .csv or .xlsx file."), code="extension")
        return upload
