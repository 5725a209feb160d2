from django_filters.views import FilterView
from rules.contrib.views import PermissionRequiredMixin

from . import queries
from .filters import OrganisationFilter


class OrganisationListView(PermissionRequiredMixin, FilterView):
    permission_required = "dissemination.browse_organisations"
    filterset_class = OrganisationFilter
    template_name = "dissemination/organisation_list.html"
    paginate_by = 25

    def get_queryset(self):
        return queries.organisation_list()
