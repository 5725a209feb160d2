"""The train-the-trainer lineage: who certified whom, from the original trainers down.

Staff and master trainers only (ambassadors.view_lineage); everyone else gets 403."""

import django_filters
from django.core.cache import cache
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from rules.contrib.views import permission_required

from mentorwijs.forms import parse_id
from mentorwijs.sorting import SortOrder

from ..models import Ambassador
from ..queries.quality import STALE_AFTER, lineage

# The tree is computed once and kept this long in the cache: with 2,000 trainers it takes a few
# hundred milliseconds (bench/pages, issue 7).
LINEAGE_CACHE_SECONDS = 300
# Trainers per page, in the tree's order: all 2,000 on one page made 1.1 MB.
LINEAGE_PAGE_SIZE = 100


class LineageSort(django_filters.FilterSet):
    """The column order of the trainers' table. Without one it is the tree (each trainer under their
    certifier); sorted by a column it is a flat list. The rows are the cached tree's, sorted in Python
    (LINEAGE_SORT_KEYS); the columns here only give the keys and their labels."""

    sort = SortOrder(
        columns={
            "name": (_("Name"), "pk"),
            "generation": (_("Generation"), "pk"),
            "runs": (_("Runs given"), "pk"),
            "supervisors": (_("Supervisors trained"), "pk"),
            "last_run": (_("Last run"), "pk"),
        }
    )

    class Meta:
        model = Ambassador
        fields = ["sort"]


LINEAGE_SORT_KEYS = {
    "name": lambda row: row.name.casefold(),
    "generation": lambda row: row.depth,
    "runs": lambda row: row.runs_given,
    "supervisors": lambda row: row.supervisors_trained,
    "last_run": lambda row: row.last_run,
}


def lineage_sorted(rows: list, sort: str) -> list:
    """The tree's rows by `sort` (a LINEAGE_SORT_KEYS key, "-" first for descending), as SortOrder
    sorts a query: empty values last both ways, the person's key breaking ties. No sort: the tree."""
    if not sort:
        return rows
    value = LINEAGE_SORT_KEYS[sort.removeprefix("-")]
    present = sorted(
        (row for row in rows if value(row) is not None),
        key=lambda row: (value(row), row.pk),
        reverse=sort.startswith("-"),
    )
    return present + [row for row in rows if value(row) is None]


@never_cache
@permission_required("ambassadors.view_lineage", raise_exception=True)
@require_safe
def lineage_view(request):
    # The tree from the cache (computed when missing), read only when the template uses it.
    tree = SimpleLazyObject(lambda: cache.get_or_set("lineage_tree", lineage, LINEAGE_CACHE_SECONDS))
    page_number = parse_id(request.GET.get("page")) or 1
    order = LineageSort(request.GET or None, queryset=Ambassador.objects.none(), request=request)
    sort = (order.form.cleaned_data.get("sort") or [""])[0] if order.is_valid() else ""
    rows = SimpleLazyObject(lambda: lineage_sorted(tree["rows"], sort))
    context = {
        "filter": order,
        "flat": bool(sort),
        "rows": rows,
        "page_obj": SimpleLazyObject(lambda: Paginator(rows, LINEAGE_PAGE_SIZE).get_page(page_number)),
        "generations": SimpleLazyObject(lambda: tree["generations"]),
        "stale_months": STALE_AFTER.months + 12 * STALE_AFTER.years,
    }
    return TemplateResponse(request, "ambassadors/lineage.html", context)
