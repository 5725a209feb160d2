"""The location form of the staff's locations pages (and of "add a location" beside the run forms)."""

from django import forms

from ..models import Location


class LocationForm(forms.ModelForm):
    """A location's fields. Uniqueness of name and place is checked by the service
    (trainings.services.locations), which puts the error on the name."""

    class Meta:
        model = Location
        fields = ["name", "address", "postcode", "city", "region"]

    def _get_validation_exclusions(self):
        """The model's constraint on name and place is left to the service, which says it next to the
        name (Django would put it above the form); the form field checks the name's length."""
        return {*super()._get_validation_exclusions(), "name"}
