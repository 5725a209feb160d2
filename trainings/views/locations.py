"""The locations pages (staff): list, add, correct, archive, bring back, and delete an unused one."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView

from mentorwijs.http import RoleOnlyPermissionMixin, safe_next

from ..filters import LocationFilter
from ..forms import add_service_errors
from ..forms.locations import LocationForm
from ..queries import settings_pages as queries
from ..services import locations


class LocationPermissionMixin(RoleOnlyPermissionMixin):
    """Staff only: anyone else gets 403 before a location is looked up."""

    permission_required = "trainings.manage_settings"

    @cached_property
    def location(self):
        return get_object_or_404(queries.location_list(), pk=self.kwargs["pk"])


class LocationListView(LocationPermissionMixin, FilterView):
    filterset_class = LocationFilter
    template_name = "trainings/location_list.html"
    paginate_by = 25

    def get_queryset(self):
        return queries.location_list()


class LocationCreateView(LocationPermissionMixin, FormView):
    """A new location. Opened from a run's form (?next=), it goes back there with the location chosen."""

    template_name = "trainings/location_form.html"
    form_class = LocationForm

    def next_url(self) -> str:
        return safe_next(self.request, self.request.GET.get("next", ""))

    def get_context_data(self, **kwargs):
        return super().get_context_data(next_url=self.next_url(), **kwargs)

    def form_valid(self, form):
        try:
            location = locations.location_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Location saved."))
        next_url = self.next_url()
        if next_url:
            return redirect(f"{next_url}{'&' if '?' in next_url else '?'}location={location.pk}")
        return redirect("trainings:location_list")


class LocationUpdateView(LocationPermissionMixin, FormView):
    template_name = "trainings/location_form.html"
    form_class = LocationForm

    def get_form_kwargs(self):
        # A copy: the form writes what was typed into its instance, and the page shows the stored name.
        return {**super().get_form_kwargs(), "instance": copy.copy(self.location)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(location=self.location, **kwargs)

    def form_valid(self, form):
        try:
            locations.location_update(location=self.location, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Location saved."))
        return redirect("trainings:location_list")


class LocationArchiveView(LocationPermissionMixin, View):
    def post(self, request, pk):
        location = locations.location_archive(location=self.location)
        messages.success(
            request, _("%(location)s is archived: it is no longer offered for new meetings.") % {"location": location}
        )
        return redirect("trainings:location_list")


class LocationRestoreView(LocationPermissionMixin, View):
    def post(self, request, pk):
        location = locations.location_restore(location=self.location)
        messages.success(request, _("%(location)s is offered for new meetings again.") % {"location": location})
        return redirect("trainings:location_list")


class LocationDeleteView(LocationPermissionMixin, TemplateView):
    """A confirmation page; a location in use is never deleted (the page says to archive it)."""

    template_name = "trainings/location_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(location=self.location, in_use=self.location.meeting_count > 0, **kwargs)

    def post(self, request, pk):
        try:
            locations.location_delete(location=self.location)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(reverse("trainings:location_update", args=[pk]))
        messages.success(request, _("Location deleted."))
        return redirect("trainings:location_list")
