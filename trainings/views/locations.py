"""The locations pages (staff): list, add, correct, archive, bring back, and delete an unused one."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from rules.contrib.views import permission_required

from mentorwijs.http import filter_page, safe_next

from ..filters import LocationFilter
from ..forms import add_service_errors
from ..forms.locations import LocationForm
from ..queries import settings_pages as queries
from ..services import locations

# Staff only: anyone else gets 403 before a location is looked up.
PERMISSION = "trainings.manage_settings"


def _location(pk):
    return get_object_or_404(queries.location_list(), pk=pk)


@permission_required(PERMISSION, raise_exception=True)
@require_safe
def location_list_view(request):
    filterset = LocationFilter(request.GET or None, request=request, queryset=queries.location_list())
    return render(request, "trainings/location_list.html", filter_page(request, filterset, 25))


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def location_create_view(request):
    """A new location. Opened from a run's form (?next=), it goes back there with the location chosen."""
    next_url = safe_next(request, request.GET.get("next", ""))
    form = LocationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            location = locations.location_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Location saved."))
            if next_url:
                return redirect(f"{next_url}{'&' if '?' in next_url else '?'}location={location.pk}")
            return redirect("trainings:location_list")
    return render(request, "trainings/location_form.html", {"form": form, "next_url": next_url})


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def location_update_view(request, pk):
    location = _location(pk)
    # A copy: the form writes what was typed into its instance, and the page shows the stored name.
    form = LocationForm(request.POST if request.method == "POST" else None, instance=copy.copy(location))
    if request.method == "POST" and form.is_valid():
        try:
            locations.location_update(location=location, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Location saved."))
            return redirect("trainings:location_list")
    return render(request, "trainings/location_form.html", {"form": form, "location": location})


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def location_archive_view(request, pk):
    location = locations.location_archive(location=_location(pk))
    messages.success(
        request, _("%(location)s is archived: it is no longer offered for new meetings.") % {"location": location}
    )
    return redirect("trainings:location_list")


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def location_restore_view(request, pk):
    location = locations.location_restore(location=_location(pk))
    messages.success(request, _("%(location)s is offered for new meetings again.") % {"location": location})
    return redirect("trainings:location_list")


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def location_delete_view(request, pk):
    """A confirmation page; a location in use is never deleted (the page says to archive it)."""
    location = _location(pk)
    if request.method != "POST":
        context = {"location": location, "in_use": location.meeting_count > 0}
        return render(request, "trainings/location_delete.html", context)
    try:
        locations.location_delete(location=location)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("trainings:location_update", args=[pk]))
    messages.success(request, _("Location deleted."))
    return redirect("trainings:location_list")
