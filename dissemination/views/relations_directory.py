from django.http import JsonResponse
from django.views.decorators.http import require_GET
from django_filters.views import FilterView
from rules.contrib.views import PermissionRequiredMixin, permission_required

from ..filters import OrganisationFilter
from ..queries import relations as queries


class OrganisationListView(PermissionRequiredMixin, FilterView):
    permission_required = "dissemination.browse_organisations"
    filterset_class = OrganisationFilter
    template_name = "dissemination/organisation_list.html"
    paginate_by = 25

    def get_queryset(self):
        return queries.organisation_list()


@require_GET
@permission_required("dissemination.browse_organisations", raise_exception=True)
def organisation_search(request):
    """JSON for the organisation search boxes (people, outreach log)."""
    return JsonResponse({"results": queries.organisations_named(request.GET.get("q", ""))})
