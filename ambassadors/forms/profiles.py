"""Forms of the ambassador profile pages: the staff invitation, the list filters and the own profile.

The organisation is searched by name (organisation-autocomplete.js fills the hidden id; there are
thousands of organisations, too many for a drop-down). Without the script a name that matches one
organisation exactly is taken."""

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dissemination.models import Region
from dissemination.queries.relations import organisation_chosen
from mentorwijs.sorting import SortOrder, in_choice_order

from ..enums import AmbassadorKind, AmbassadorOffer
from ..models import Ambassador

OFFERS_HELP = _("What you are willing to do for Mentorwijs.")


class OrganisationPickForm(forms.Form):
    """`organisation_name` (the search box) and `organisation` (the hidden id) become one
    cleaned `organisation` (an Organisation or None)."""

    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("Type at least two letters and choose from the list; leave empty when there is none."),
    )
    organisation = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organisation=None, search_url_name="dissemination:organisation_search", **kwargs):
        """`search_url_name`: the whole directory (staff, ambassadors) unless the view gives a user who
        may not browse it the public search (trainings:organisation_search, from three letters)."""
        super().__init__(*args, **kwargs)
        widget = self.fields["organisation_name"].widget
        widget.attrs["data-organisation-search"] = reverse(search_url_name)
        if search_url_name == "trainings:organisation_search":
            widget.attrs["data-organisation-min-length"] = 3
        widget.attrs["data-organisation-target"] = "organisation"
        widget.attrs["autocomplete"] = "off"
        if organisation is not None:
            self.initial.setdefault("organisation", organisation.pk)
            self.initial.setdefault("organisation_name", organisation.name)

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["organisation"] = organisation_chosen(cleaned.get("organisation"), cleaned.get("organisation_name"))
        except ValidationError as error:
            self.add_error("organisation_name", error)
            cleaned["organisation"] = None
        cleaned.pop("organisation_name", None)
        return cleaned


class AmbassadorInviteForm(OrganisationPickForm):
    email = forms.EmailField(label=_("Email address"))
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=AmbassadorKind.choices)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)
    offers = forms.MultipleChoiceField(
        label=_("Offers"),
        choices=AmbassadorOffer.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What they are willing to do; they can change this themselves."),
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )

    field_order = ["email", "first_name", "last_name", "kind", "organisation_name", "organisation", "region"]


class ProfileForm(OrganisationPickForm):
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)
    offers = forms.MultipleChoiceField(
        label=_("What I offer"),
        choices=AmbassadorOffer.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=OFFERS_HELP,
    )
    public_listing = forms.BooleanField(
        label=_("Show me in the public register"),
        required=False,
        help_text=_(
            "Only for certified trainers: your name, level, region and the end of your certification are shown "
            "to everyone, so employers can check who may give the training. Nothing else is shown. You can "
            "withdraw this at any time."
        ),
    )

    def __init__(self, *args, ambassador: Ambassador, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "region": ambassador.region_id,
                "offers": ambassador.offers,
                "public_listing": ambassador.public_listing,
            },
        )
        super().__init__(*args, organisation=ambassador.organisation, **kwargs)


class AmbassadorFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AmbassadorKind.choices, empty_label=_("All kinds"))
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("All regions")
    )
    offer = django_filters.ChoiceFilter(
        label=_("Offers"), choices=AmbassadorOffer.choices, empty_label=_("Any offer"), method="offers_include"
    )

    sort = SortOrder(
        columns={
            "name": (
                _("Name"),
                Lower(Coalesce("user__first_name", "person__first_name")),
                Lower(Coalesce("user__last_name", "person__last_name")),
            ),
            "kind": (_("Kind"), in_choice_order("kind", AmbassadorKind)),
            "organisation": (_("Organisation"), Lower("organisation__name")),
            "region": (_("Region"), "region__name"),
            "joined": (_("Created"), "created_at"),
        },
        default="-joined",  # queries.profiles.ambassador_list: the newest first
    )

    class Meta:
        model = Ambassador
        fields = ["kind", "region", "offer", "sort"]

    def offers_include(self, queryset, name, value):
        # `offers` is a JSON list of codes; `contains` on JSON is not available on SQLite, so match
        # the quoted code in its text (no code is part of another).
        return queryset.filter(offers__icontains=f'"{value}"')
