"""The train-the-trainer lineage: who certified whom, from the original trainers down.

Staff and master trainers only (ambassadors.view_lineage); everyone else gets 403."""

from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from ..queries.quality import STALE_AFTER, lineage

# The tree is rendered once and kept this long in the cache (a template fragment): with 2,000
# trainers it takes a few hundred milliseconds (bench/pages, issue 7).
LINEAGE_CACHE_SECONDS = 300


@method_decorator(never_cache, name="dispatch")
class LineageView(PermissionRequiredMixin, TemplateView):
    permission_required = "ambassadors.view_lineage"
    template_name = "ambassadors/lineage.html"

    def get_context_data(self, **kwargs):
        tree = SimpleLazyObject(lineage)  # read only when the cached fragment is missing
        return super().get_context_data(
            rows=SimpleLazyObject(lambda: tree["rows"]),
            generations=SimpleLazyObject(lambda: tree["generations"]),
            stale_months=STALE_AFTER.months + 12 * STALE_AFTER.years,
            cache_seconds=LINEAGE_CACHE_SECONDS,
            **kwargs,
        )


urlpatterns = [
    path("stamboom/", LineageView.as_view(), name="lineage"),
]
