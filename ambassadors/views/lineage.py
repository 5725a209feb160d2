"""The train-the-trainer lineage: who certified whom, from the original trainers down.

Staff and master trainers only (ambassadors.view_lineage); everyone else gets 403."""

from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from ..queries.quality import STALE_AFTER, lineage


@method_decorator(never_cache, name="dispatch")
class LineageView(PermissionRequiredMixin, TemplateView):
    permission_required = "ambassadors.view_lineage"
    template_name = "ambassadors/lineage.html"

    def get_context_data(self, **kwargs):
        tree = lineage()
        return super().get_context_data(
            rows=tree["rows"],
            generations=tree["generations"],
            stale_months=STALE_AFTER.months + 12 * STALE_AFTER.years,
            **kwargs,
        )


urlpatterns = [
    path("stamboom/", LineageView.as_view(), name="lineage"),
]
