"""The train-the-trainer lineage: who certified whom, from the original trainers down.

Staff and master trainers only (ambassadors.view_lineage); everyone else gets 403."""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from rules.contrib.views import permission_required

from mentorwijs.forms import parse_id

from ..queries.quality import STALE_AFTER, lineage

# The tree is computed once and kept this long in the cache: with 2,000 trainers it takes a few
# hundred milliseconds (bench/pages, issue 7).
LINEAGE_CACHE_SECONDS = 300
# Trainers per page, in the tree's order: all 2,000 on one page made 1.1 MB.
LINEAGE_PAGE_SIZE = 100


@never_cache
@permission_required("ambassadors.view_lineage", raise_exception=True)
@require_safe
def lineage_view(request):
    # The tree from the cache (computed when missing), read only when the template uses it.
    tree = SimpleLazyObject(lambda: cache.get_or_set("lineage_tree", lineage, LINEAGE_CACHE_SECONDS))
    page_number = parse_id(request.GET.get("page")) or 1
    context = {
        "rows": SimpleLazyObject(lambda: tree["rows"]),
        "page_obj": SimpleLazyObject(lambda: Paginator(tree["rows"], LINEAGE_PAGE_SIZE).get_page(page_number)),
        "generations": SimpleLazyObject(lambda: tree["generations"]),
        "stale_months": STALE_AFTER.months + 12 * STALE_AFTER.years,
    }
    return TemplateResponse(request, "ambassadors/lineage.html", context)
