"""The directory of organisations and the organisation search of the people and outreach forms."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_safe
from rules.contrib.views import permission_required

from mentorwijs.http import filter_page

from ..filters import OrganisationFilter
from ..queries import relations as queries


@permission_required("dissemination.browse_organisations", raise_exception=True)
@require_safe
def organisation_list_view(request):
    """The organisations, 25 a page, searched by name, city or KvK number and filtered by target
    group and region."""
    organisations = OrganisationFilter(request.GET or None, queryset=queries.organisation_list(), request=request)
    return render(request, "dissemination/organisation_list.html", filter_page(request, organisations, 25))


@require_GET
@permission_required("dissemination.browse_organisations", raise_exception=True)
def organisation_search(request):
    """JSON for the organisation search boxes (people, outreach log)."""
    return JsonResponse({"results": queries.organisations_named(request.GET.get("q", ""))})
